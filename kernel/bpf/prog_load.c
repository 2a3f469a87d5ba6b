// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_LOAD: from the caller's attr to a program behind an fd.
 *
 * The stages, in Linux's order: the attr (flags, size, type, log), the
 * copies (instructions, license, name), the structural check, map
 * references of LD_IMM64 resolved to map pointers, helper calls checked
 * against the type's prototypes and the license, context accesses
 * proven safe by the verifier, context accesses rewritten to the type's
 * internal layout, the interpreter's threaded code prepared in its trusted
 * mode (no checks), and native code compiled where the JIT is enabled.
 */
#include <linux/bpf64/fixup.h>
#include <linux/bpf64/insn.h>
#include <linux/bpf64/jit.h>
#include <linux/bpf64/sha256.h>
#include <linux/bpf64/verifier.h>
#include <linux/bpf64/syscall.h>
#include "objects.h"
#include "prog_load.h"

#define BPF64_LICENSE_LEN	128

#define PROG_LOAD_FLAGS	(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | \
			 BPF_F_TEST_RND_HI32 | BPF_F_TEST_STATE_FREQ | \
			 BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS)

/* The licenses Linux's license_is_gpl_compatible() accepts. */
static bool license_is_gpl(const char *license)
{
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
		"Dual MIT/GPL", "Dual MPL/GPL",
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(gpl); i++)
		if (!strcmp(license, gpl[i]))
			return true;
	return false;
}

/* Linux's bpf_verifier_log_attr_valid(). */
static int log_attr_check(const union bpf_attr *attr)
{
	if (!!attr->log_buf != !!attr->log_size)
		return -EINVAL;
	if (attr->log_buf && !attr->log_level)
		return -EINVAL;
	if (attr->log_level & ~15U)
		return -EINVAL;
	if (attr->log_size > (~0U >> 2))
		return -EINVAL;
	return 0;
}

/* ---- maps referenced by LD_IMM64 ---- */

static int add_used_map(struct bpf64_prog *prog, struct bpf64_map *map)
{
	struct bpf64_map **n;
	u32 i;

	for (i = 0; i < prog->nr_used_maps; i++) {
		if (prog->used_maps[i] == map) {
			bpf64_map_put(map);	/* already held */
			return 0;
		}
	}
	n = bpf64_zalloc_array(prog->nr_used_maps + 1, sizeof(*n));
	if (!n) {
		bpf64_map_put(map);
		return -ENOMEM;
	}
	if (prog->nr_used_maps)
		memcpy(n, prog->used_maps, prog->nr_used_maps * sizeof(*n));
	bpf64_free(prog->used_maps);
	prog->used_maps = n;
	prog->used_maps[prog->nr_used_maps++] = map;
	return 0;
}

/*
 * A tail call map takes the type of the first program that uses it; the
 * owner is set after the JIT (check_tail_call_owners), a type that cannot
 * match is refused here already.
 */
static int check_prog_array_owner(struct bpf64_prog *prog,
				  struct bpf64_map *map, u32 idx,
				  struct bpf64_log *log)
{
	u32 owner;

	if (map->map_type != BPF_MAP_TYPE_PROG_ARRAY)
		return 0;
	owner = READ_ONCE(map->prog_array_owner);
	if (!owner || BPF64_OWNER_TYPE(owner) == prog->type)
		return 0;
	bpf64_log(log, "insn %u: tail_call map of another program type\n", idx);
	return -EINVAL;
}

static int resolve_ld_imm64(struct bpf64_prog *prog, u32 i,
			    struct bpf64_log *log)
{
	struct bpf_insn *insn = &prog->insns[i];
	struct bpf64_map *map;
	u64 addr;
	int err;

	if (insn->src_reg != BPF_PSEUDO_MAP_FD &&
	    insn->src_reg != BPF_PSEUDO_MAP_VALUE) {
		bpf64_log(log, "insn %u: unsupported ld_imm64 source %u (no BTF or fd_array here)\n",
			  i, insn->src_reg);
		return -EINVAL;
	}
	map = bpf64_map_get_by_fd(insn->imm, &err);
	if (!map) {
		bpf64_log(log, "fd %d is not pointing to valid bpf_map\n",
			  insn->imm);
		return -EBADF;
	}
	err = check_prog_array_owner(prog, map, i, log);
	if (err) {
		bpf64_map_put(map);
		return err;
	}
	if (insn->src_reg == BPF_PSEUDO_MAP_FD) {
		if (insn[1].imm) {
			bpf64_log(log, "insn %u: ld_imm64 of map fd with a non-zero second imm\n",
				  i);
			bpf64_map_put(map);
			return -EINVAL;
		}
		addr = (unsigned long)map;
	} else {
		if (!map->ops->map_direct_value_addr) {
			bpf64_log(log, "no direct value access support for this map type\n");
			bpf64_map_put(map);
			return -EINVAL;
		}
		err = map->ops->map_direct_value_addr(map, &addr, insn[1].imm);
		if (err) {
			bpf64_log(log, "invalid access to map value pointer, value_size=%u off=%u\n",
				  map->value_size, (u32)insn[1].imm);
			bpf64_map_put(map);
			return err;
		}
	}
	insn[0].imm = (u32)addr;
	insn[1].imm = addr >> 32;
	return add_used_map(prog, map);
}

static int resolve_maps(struct bpf64_prog *prog, struct bpf64_log *log)
{
	u32 i;
	int err;

	for (i = 0; i < prog->len; i++) {
		if (!bpf64_is_ldimm64(&prog->insns[i]))
			continue;
		if (prog->insns[i].src_reg) {
			err = resolve_ld_imm64(prog, i, log);
			if (err)
				return err;
		}
		i++;
	}
	return 0;
}

/* ---- helper calls ---- */

static int check_helper_calls(const struct bpf64_prog *prog,
			      struct bpf64_log *log)
{
	const struct bpf64_func_proto *fn;
	const char *name;
	u32 i;

	for (i = 0; i < prog->len; i++) {
		const struct bpf_insn *insn = &prog->insns[i];

		if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg)
			continue;
		name = bpf64_func_name(insn->imm);
		if (!name) {
			bpf64_log(log, "insn %u: invalid func unknown#%d\n", i,
				  insn->imm);
			return -EINVAL;
		}
		fn = prog->ops->get_func_proto(insn->imm, prog);
		if (!fn) {
			bpf64_log(log, "insn %u: program of this type cannot use helper %s#%d\n",
				  i, name, insn->imm);
			return -EINVAL;
		}
		if (fn->gpl_only && !prog->gpl_compatible) {
			bpf64_log(log, "insn %u: cannot call GPL-restricted function from non-GPL compatible program\n",
				  i);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_ld_abs(const struct bpf64_prog *prog, struct bpf64_log *log)
{
	u32 i;

	for (i = 0; i < prog->len; i++) {
		u8 mode = BPF_MODE(prog->insns[i].code);

		if (BPF_CLASS(prog->insns[i].code) == BPF_LD &&
		    (mode == BPF_ABS || mode == BPF_IND) &&
		    !prog->ops->has_ld_abs) {
			bpf64_log(log, "insn %u: BPF_LD_[ABS|IND] instructions not allowed for this program type\n",
				  i);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The tag: the first bytes of the SHA-256 of the instructions as loaded,
 * with map references zeroed since fds differ from process to process
 * (Linux's bpf_prog_calc_tag since 6.18; SHA-1 before), so that tags compare
 * across bpf64 and Linux.
 */
static void prog_calc_tag(struct bpf64_prog *prog)
{
	struct bpf_insn chunk[64];
	u8 digest[BPF64_SHA256_SIZE];
	struct bpf64_sha256 ctx;
	bool was_ld_map = false;
	u32 i, n = 0;

	bpf64_sha256_init(&ctx);
	for (i = 0; i < prog->len; i++) {
		struct bpf_insn *dst = &chunk[n++];

		*dst = prog->insns[i];
		if (!was_ld_map && bpf64_is_ldimm64(dst) &&
		    (dst->src_reg == BPF_PSEUDO_MAP_FD ||
		     dst->src_reg == BPF_PSEUDO_MAP_VALUE)) {
			was_ld_map = true;
			dst->imm = 0;
		} else if (was_ld_map && !dst->code && !dst->dst_reg &&
			   !dst->src_reg && !dst->off) {
			was_ld_map = false;
			dst->imm = 0;
		} else {
			was_ld_map = false;
		}
		if (n == ARRAY_SIZE(chunk)) {
			bpf64_sha256_update(&ctx, chunk, sizeof(chunk));
			n = 0;
		}
	}
	bpf64_sha256_update(&ctx, chunk, n * sizeof(*chunk));
	bpf64_sha256_final(&ctx, digest);
	memcpy(prog->tag, digest, sizeof(prog->tag));
}

/* ---- the stages ---- */

static int copy_prog_in(struct bpf64_prog *prog, const union bpf_attr *attr)
{
	char license[BPF64_LICENSE_LEN];
	long n;

	prog->insns = bpf64_zalloc_array(attr->insn_cnt, sizeof(struct bpf_insn));
	if (!prog->insns)
		return -ENOMEM;
	prog->len = attr->insn_cnt;
	prog->orig_len = attr->insn_cnt;
	if (bpf64_copy_from_user(prog->insns, attr->insns,
				 (size_t)attr->insn_cnt * sizeof(struct bpf_insn)))
		return -EFAULT;
	n = bpf64_strncpy_from_user(license, attr->license, sizeof(license));
	if (n == -EFAULT)
		return -EFAULT;
	license[sizeof(license) - 1] = 0;
	prog->gpl_compatible = license_is_gpl(license);
	return bpf64_obj_name_cpy(prog->name, attr->prog_name,
				  sizeof(attr->prog_name));
}

/*
 * Verified programs run JITed where the JIT takes them, as Linux's
 * bpf_prog_select_runtime(): a program the JIT refuses stays interpreted,
 * and only such a program gets the interpreter's threaded code (every run
 * takes the image first, and a JITed program's tail calls reach only
 * JITed ones).
 */
static int select_runtime(struct bpf64_prog *prog)
{
	u32 flags = bpf64_jit_harden ? BPF64_JIT_F_BLIND : 0;
	int err;

	if (!bpf64_jit_enable)
		return 0;
	err = bpf64_jit_compile(prog, flags, NULL, &prog->jit);
	return err == -ENOMEM ? err : 0;
}

/* Linux's bpf_check_tail_call(): after the JIT, as whether it JITed counts. */
static int check_tail_call_owners(struct bpf64_prog *prog,
				  struct bpf64_log *log)
{
	u32 i;

	for (i = 0; i < prog->nr_used_maps; i++) {
		struct bpf64_map *map = prog->used_maps[i];

		if (map->map_type == BPF_MAP_TYPE_PROG_ARRAY &&
		    !bpf64_prog_array_compatible(map, prog)) {
			bpf64_log(log, "tail_call map holds programs %s\n",
				  prog->jit ? "not JITed" : "JITed");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Verification and the rewrites after it (kernel/bpf/fixup.c): helpers
 * are inlined for the JIT only, as Linux does, and the JITs here (x86-64)
 * need no explicit zero extension, as Linux's x86 JIT.
 */
static int check_and_prepare(struct bpf64_prog *prog, u32 prog_flags,
			     struct bpf64_log *log)
{
	const struct bpf64_fixup_opts fixup_opts = {
		.jit = bpf64_jit_enable,
		.unpriv = !bpf64_capable(BPF64_CAP_BPF),
		.rnd_hi32 = prog_flags & BPF_F_TEST_RND_HI32,
	};
	struct bpf64_insn_aux *aux = NULL;
	int err;

	err = bpf64_check_insns(prog->insns, prog->len, log);
	if (!err) {
		prog_calc_tag(prog);
		err = check_ld_abs(prog, log);
	}
	if (!err)
		err = resolve_maps(prog, log);
	if (!err)
		err = check_helper_calls(prog, log);
	if (!err)
		err = bpf64_verify_aux(prog, log, &aux);
	if (!err)
		err = bpf64_fixup(prog, aux, &fixup_opts, log);
	bpf64_free(aux);
	if (!err)
		err = select_runtime(prog);
	if (!err && !prog->jit)
		err = bpf64_interp_prepare(prog, BPF64_RUN_TRUSTED, log);
	if (!err)
		err = check_tail_call_owners(prog, log);
	return err;
}

/* The log goes back NUL-terminated; a cut log fails the load (-ENOSPC). */
static int log_finish(const union bpf_attr *attr, struct bpf64_log *log)
{
	if (!attr->log_buf)
		return 0;
	if (bpf64_copy_to_user(attr->log_buf, log->buf, log->len + 1))
		return -EFAULT;
	return log->truncated ? -ENOSPC : 0;
}

int bpf64_sys_prog_load(union bpf_attr *attr)
{
	const struct bpf64_prog_ops *ops;
	struct bpf64_log log = { };
	struct bpf64_prog *prog;
	int err, lerr, fd;

	if (attr->prog_flags & ~PROG_LOAD_FLAGS)
		return -EINVAL;
	if (!attr->insn_cnt || attr->insn_cnt > BPF64_MAX_INSNS)
		return -E2BIG;
	err = bpf64_priv_prog_load(attr->prog_type, attr->insn_cnt);
	if (err)
		return err;
	ops = bpf64_prog_type_ops(attr->prog_type);
	if (!ops)
		return -EINVAL;
	if (attr->attach_btf_id || attr->attach_prog_fd || attr->prog_ifindex ||
	    attr->func_info_cnt || attr->line_info_cnt || attr->fd_array ||
	    attr->core_relo_cnt)
		return -EINVAL;		/* BTF, offload: not here */
	err = log_attr_check(attr);
	if (err)
		return err;
	/* The log grows as it fills: most loads write a line or none. */
	if (attr->log_buf &&
	    bpf64_log_alloc(&log, attr->log_size, attr->log_level))
		return -ENOMEM;

	err = -ENOMEM;
	prog = bpf64_zalloc(sizeof(*prog));
	if (!prog)
		goto out_log;
	prog->refcnt = 1;
	prog->ops = ops;
	prog->type = attr->prog_type;
	prog->expected_attach_type = attr->expected_attach_type;
	prog->load_time = bpf64_ktime_get_boot_ns();
	err = copy_prog_in(prog, attr);
	if (!err && prog->type == BPF_PROG_TYPE_SYSCALL &&
	    !(attr->prog_flags & BPF_F_SLEEPABLE)) {
		bpf64_log(&log, "Syscall programs can only be sleepable\n");
		err = -EINVAL;
	}
	if (!err)
		err = check_and_prepare(prog, attr->prog_flags, &log);
	lerr = log_finish(attr, &log);
	if (!err)
		err = lerr;
	if (!err)
		err = bpf64_prog_alloc_id(prog);
	if (err) {
		bpf64_prog_put(prog);
		goto out_log;
	}
	fd = bpf64_fd_install(BPF64_OBJ_PROG, prog, 0);
	if (fd < 0)
		bpf64_prog_put(prog);
	err = fd;
out_log:
	bpf64_log_free(&log);
	return err;
}

/*
 * The program as rewritten, for OBJ_GET_INFO_BY_FD: map pointers become
 * map ids again, as Linux's dump shows them.
 */
int bpf64_prog_dump_xlated(const struct bpf64_prog *prog, u64 ubuf, u32 ulen)
{
	u32 n = min(ulen / (u32)sizeof(struct bpf_insn), prog->len), i;
	struct bpf_insn *dump;
	int err = 0;

	dump = bpf64_zalloc_array(n, sizeof(*dump));
	if (!dump)
		return -ENOMEM;
	memcpy(dump, prog->insns, n * sizeof(*dump));
	for (i = 0; i + 1 < n; i++) {
		if (!bpf64_is_ldimm64(&dump[i]))
			continue;
		if (dump[i].src_reg == BPF_PSEUDO_MAP_FD ||
		    dump[i].src_reg == BPF_PSEUDO_MAP_VALUE) {
			u64 addr = (u32)dump[i].imm | (u64)(u32)dump[i + 1].imm << 32;
			u32 m;

			for (m = 0; m < prog->nr_used_maps; m++) {
				const struct bpf64_map *map = prog->used_maps[m];
				u64 base = 0;

				if (addr == (unsigned long)map ||
				    (map->ops->map_direct_value_addr &&
				     !map->ops->map_direct_value_addr(map, &base, 0) &&
				     addr - base < map->value_size)) {
					dump[i].imm = map->id;
					dump[i + 1].imm = base ? addr - base : 0;
					break;
				}
			}
		}
		i++;
	}
	if (bpf64_copy_to_user(ubuf, dump, n * sizeof(*dump)))
		err = -EFAULT;
	bpf64_free(dump);
	return err;
}
