// SPDX-License-Identifier: GPL-2.0
/*
 * bpf64.ko: the kernel home of the portable BPF core.
 *
 * For now the module carries the core and says so when it loads; the
 * /dev/bpf64 device that gives userspace the bpf() commands comes later.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#define BPF64_MODULE_VERSION	"0.1"

static int __init bpf64_init(void)
{
	pr_info("version %s loaded\n", BPF64_MODULE_VERSION);
	return 0;
}

static void __exit bpf64_exit(void)
{
	pr_info("unloaded\n");
}

module_init(bpf64_init);
module_exit(bpf64_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpf64: a portable 64-bit extended BPF core");
MODULE_VERSION(BPF64_MODULE_VERSION);
