/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the cases marked .unpriv: each in a child that dropped to uid
 * and gid 65534, which takes every capability with it (setreuid sets the
 * saved uid too, and clears them when no uid stays 0); a bpf64 child also
 * tells the hosted library (bpf64_set_privileged).  Linux lets such a
 * child use bpf() only while sysctl kernel.unprivileged_bpf_disabled is
 * 0: for the Linux run root sets it and puts the old value back
 * afterwards, at exit and on SIGINT, SIGTERM, SIGHUP, SIGABRT or SIGSEGV.
 * Without root the Linux side of these cases is reported as skipped.
 */
#ifndef _BPF64_VERIFIER_UNPRIV_RUN_H
#define _BPF64_VERIFIER_UNPRIV_RUN_H

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf64/platform.h>

#define UNPRIV_SYSCTL	"/proc/sys/kernel/unprivileged_bpf_disabled"
#define UNPRIV_UID	65534

static int unpriv_saved = -1;	/* the sysctl's value to put back */

static inline int unpriv_sysctl_write(int val)
{
	FILE *f = fopen(UNPRIV_SYSCTL, "w");
	int err;

	if (!f)
		return -1;
	err = fprintf(f, "%d\n", val) < 0;
	return fclose(f) || err ? -1 : 0;
}

static inline void unpriv_restore(void)
{
	if (unpriv_saved > 0 && !unpriv_sysctl_write(unpriv_saved))
		unpriv_saved = -1;
}

static inline void unpriv_on_signal(int sig)
{
	unpriv_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Let unprivileged users use Linux's bpf(): true if they now may. */
static inline bool unpriv_sysctl_open(void)
{
	FILE *f = fopen(UNPRIV_SYSCTL, "r");

	if (!f || fscanf(f, "%d", &unpriv_saved) != 1)
		unpriv_saved = -1;
	if (f)
		fclose(f);
	if (unpriv_saved <= 0)
		return unpriv_saved == 0;
	atexit(unpriv_restore);
	signal(SIGINT, unpriv_on_signal);
	signal(SIGTERM, unpriv_on_signal);
	signal(SIGHUP, unpriv_on_signal);
	signal(SIGABRT, unpriv_on_signal);	/* a sanitizer's report */
	signal(SIGSEGV, unpriv_on_signal);
	if (!unpriv_sysctl_write(0))
		return true;
	unpriv_saved = -1;
	return false;
}

/* May this backend run the unprivileged cases the filter selects? */
static inline bool unpriv_setup(const struct bpf64_backend *be,
			 const struct vcase *cs, size_t n, const char *filter)
{
	bool any = false;

	if (be != &bpf64_backend_linux)
		return true;
	for (size_t i = 0; i < n; i++)
		any |= cs[i].unpriv && (!filter || strstr(cs[i].name, filter));
	return !any || unpriv_sysctl_open();
}

/* In a child: drop to UNPRIV_UID, which takes every capability with it. */
static inline int unpriv_drop(const struct bpf64_backend *be)
{
	bpf64_set_privileged(false);
	/* a user other than root has no capabilities to drop */
	if (be != &bpf64_backend_linux || geteuid())
		return 0;
	return setregid(UNPRIV_UID, UNPRIV_UID) ||
	       setreuid(UNPRIV_UID, UNPRIV_UID) ? -1 : 0;
}

static inline void unpriv_run(const struct bpf64_backend *be,
			      const struct vcase *c,
		       bool ok, void (*run)(const struct bpf64_backend *,
					   const struct vcase *))
{
	int status = 0;
	pid_t pid;

	if (!ok) {
		tu_skip("%s: %s # SKIP cannot set %s to 0", be->name, c->name,
			UNPRIV_SYSCTL);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		tu_result(0, "%s: %s: fork failed", be->name, c->name);
		return;
	}
	if (!pid) {
		if (unpriv_drop(be))
			tu_result(0, "%s: %s: cannot drop to uid %d", be->name,
				  c->name, UNPRIV_UID);
		else
			run(be, c);
		fflush(stdout);
		_exit(tu_failed ? 1 : 0);
	}
	/* the child printed the result under this number */
	tu_num++;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		tu_failed++;
		if (!WIFEXITED(status))
			tu_diag("%s: %s: the unprivileged child died",
				be->name, c->name);
	}
}

#endif /* _BPF64_VERIFIER_UNPRIV_RUN_H */
