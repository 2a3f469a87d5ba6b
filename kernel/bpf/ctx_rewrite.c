// SPDX-License-Identifier: GPL-2.0
/*
 * Context accesses rewritten after verification
 * (include/linux/bpf64/ctx_rewrite.h).
 *
 * The verifier knows which loads and stores go to the context and what
 * the type's is_valid_access() said of each; here one such access becomes
 * what the type's convert_ctx_access() gives.  A narrow load (fewer bytes
 * than the field, where the type allows it) is widened to the whole field
 * for the conversion, then shifted and masked back to the bytes asked
 * for, and a sign-extending load is converted as a plain one and
 * sign-extended after, as Linux's convert_ctx_accesses() does.
 */
#include <linux/bpf64/ctx_rewrite.h>
#include <linux/bpf64/insn.h>

static int misconfigured(const struct bpf64_prog *prog, u32 idx,
			 const char *what, struct bpf64_log *log)
{
	bpf64_log(log, "insn %u: program type %s: %s\n", idx,
		  prog->ops->name, what);
	return -EINVAL;
}

/* Is a conversion's output something the interpreter can run? */
static bool patch_ok(const struct bpf_insn *buf, u32 cnt)
{
	char why[128];
	s32 off;
	u32 j;

	for (j = 0; j < cnt; j++) {
		u8 op = BPF_OP(buf[j].code);

		if (bpf64_check_insn(&buf[j], why, sizeof(why)) ||
		    bpf64_is_ldimm64(&buf[j]) ||
		    (bpf64_is_jmp_class(buf[j].code) &&
		     (op == BPF_CALL || op == BPF_EXIT)))
			return false;
		if (bpf64_insn_jump_offset(&buf[j], &off) &&
		    ((s64)j + 1 + off < 0 || (s64)j + 1 + off > cnt))
			return false;
	}
	return true;
}

static u8 size_code(u32 bytes)
{
	return bytes == 8 ? BPF_DW : bytes == 4 ? BPF_W : BPF_H;
}

/*
 * A narrow load of @size bytes at @off, from a field of @fs bytes loaded
 * whole into @dst: shift the bytes wanted down and mask the rest off.
 */
static u32 narrow(struct bpf_insn *buf, u32 cnt, u8 dst, int off, u32 size,
		  u32 fs)
{
	u32 shift = off & (fs - 1);

	if (!BPF64_LITTLE_ENDIAN)
		shift = fs - shift - size;
	shift *= 8;
	if (shift)
		buf[cnt++] = (struct bpf_insn){
			.code = (fs == 8 ? BPF_ALU64 : BPF_ALU) | BPF_RSH | BPF_K,
			.dst_reg = dst, .imm = shift };
	buf[cnt++] = (struct bpf_insn){
		.code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = dst,
		.imm = (u32)((1ULL << size * 8) - 1) };
	return cnt;
}

int bpf64_ctx_convert(const struct bpf64_prog *prog,
		      const struct bpf_insn *insn,
		      const struct bpf64_ctx_access *info, u32 idx,
		      struct bpf_insn *buf, struct bpf64_log *log)
{
	const struct bpf64_prog_ops *ops = prog->ops;
	bool write = BPF_CLASS(insn->code) != BPF_LDX;
	bool memsx = BPF_MODE(insn->code) == BPF_MEMSX;
	u32 size = bpf64_size_bytes(insn->code), fs = info->ctx_field_size, cnt;
	bool narrow_load = fs && size < fs;
	struct bpf_insn si = *insn;

	if (!ops->convert_ctx_access)
		return 0;
	if (narrow_load && (write || (fs != 2 && fs != 4 && fs != 8)))
		return misconfigured(prog, idx, "narrow ctx access misconfigured",
				     log);
	if (narrow_load) {
		si.off = insn->off & ~(fs - 1);
		si.code = BPF_LDX | BPF_MEM | size_code(fs);
	} else if (memsx) {
		si.code = BPF_LDX | BPF_MEM | BPF_SIZE(insn->code);
	}
	cnt = ops->convert_ctx_access(write, &si, buf, prog);
	if (!cnt)
		return 0;	/* the same layout: the access stays */
	if (cnt > BPF64_MAX_CTX_PATCH || !patch_ok(buf, cnt))
		return misconfigured(prog, idx,
				     "convert_ctx_access gave invalid code", log);
	/* Linux shifts and masks only below the width really loaded. */
	if (narrow_load && size < (info->target_size ? info->target_size : fs))
		cnt = narrow(buf, cnt, insn->dst_reg, insn->off, size, fs);
	if (memsx)
		buf[cnt++] = (struct bpf_insn){
			.code = BPF_ALU64 | BPF_MOV | BPF_X,
			.dst_reg = insn->dst_reg, .src_reg = insn->dst_reg,
			.off = size * 8 };
	return cnt;
}
