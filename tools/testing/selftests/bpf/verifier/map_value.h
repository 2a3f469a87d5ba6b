/* SPDX-License-Identifier: GPL-2.0 */
/* Map values: null checks, constant offsets, read-only and write-only maps. */

/* Look up key 0 of a 16-byte array value, then the case's access. */
#define VMAPVAL(NAME, ...)	VMAPVAL_(NAME, __VA_ARGS__)
#define VMAPVAL_(NAME, RESULT, ERR, MSG, ...)				\
	{ .name = "map value: " NAME,					\
	  .insns = { VLOOKUP_OR_RET(0, 0), __VA_ARGS__, VRET(0) },	\
	  .maps = { VMAP_ARRAY(16, 1) },				\
	  .result = RESULT, .err = ERR, .msg = MSG,			\
	  .run = RESULT == ACCEPT }
#define VM_OK		ACCEPT, 0, NULL
#define VM_BAD(OFF, SIZE)						\
	REJECT, EACCES,							\
	"invalid access to map value, value_size=16 off=" #OFF " size=" #SIZE
#define VM_ALIGN	REJECT, EACCES, "misaligned value access"

VMAPVAL("u64 read at 0", VM_OK, BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPVAL("u64 read at 8", VM_OK, BPF64_LDX_MEM(BPF_DW, R1, R0, 8)),
VMAPVAL("u64 read at 9", VM_BAD(9, 8), BPF64_LDX_MEM(BPF_DW, R1, R0, 9)),
VMAPVAL("u64 read at 16", VM_BAD(16, 8), BPF64_LDX_MEM(BPF_DW, R1, R0, 16)),
VMAPVAL("u8 read at 15", VM_OK, BPF64_LDX_MEM(BPF_B, R1, R0, 15)),
VMAPVAL("u8 read at 16", VM_BAD(16, 1), BPF64_LDX_MEM(BPF_B, R1, R0, 16)),
VMAPVAL("u8 read at -1", VM_BAD(-1, 1), BPF64_LDX_MEM(BPF_B, R1, R0, -1)),
VMAPVAL("u32 write at 12", VM_OK, BPF64_ST_MEM(BPF_W, R0, 12, 1)),
VMAPVAL("u32 write at 13", VM_BAD(13, 4), BPF64_ST_MEM(BPF_W, R0, 13, 1)),
VMAPVAL("u16 write at 14", VM_OK, BPF64_ST_MEM(BPF_H, R0, 14, 1)),
VMAPVAL("u64 misaligned read at 4 (root allows)", VM_OK,
	BPF64_LDX_MEM(BPF_DW, R1, R0, 4)),
VMAPVAL("u32 misaligned write at 1 (root allows)", VM_OK,
	BPF64_ST_MEM(BPF_W, R0, 1, 1)),
VMAPVAL("pointer moved by 8 then read u64", VM_OK,
	BPF64_ALU64_IMM(BPF_ADD, R0, 8),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPVAL("pointer moved by 12 then read u64", VM_BAD(12, 8),
	BPF64_ALU64_IMM(BPF_ADD, R0, 12),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPVAL("pointer moved back then forward", VM_OK,
	BPF64_ALU64_IMM(BPF_SUB, R0, 8),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 8)),
VMAPVAL("pointer moved back, read before the value", VM_BAD(-8, 8),
	BPF64_ALU64_IMM(BPF_SUB, R0, 8),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPVAL("store of a pointer into the value", VM_OK,
	BPF64_STX_MEM(BPF_DW, R0, R0, 0)),
VMAPVAL("atomic add in the value", VM_OK,
	BPF64_MOV64_IMM(R1, 1),
	BPF64_ATOMIC_OP(BPF_DW, BPF_ADD, R0, R1, 8)),
VMAPVAL("misaligned atomic in the value", REJECT, EACCES,
	"misaligned value access off 0+0+4 size 8",
	BPF64_MOV64_IMM(R1, 1),
	BPF64_ATOMIC_OP(BPF_DW, BPF_ADD, R0, R1, 4)),
VMAPVAL("atomic cmpxchg in the value", VM_OK,
	BPF64_MOV64_REG(R2, R0),
	BPF64_MOV64_IMM(R0, 0),
	BPF64_MOV64_IMM(R1, 1),
	BPF64_ATOMIC_OP(BPF_DW, BPF_CMPXCHG, R2, R1, 0)),
VMAPVAL("lookup result copied, copy checked", VM_OK,
	BPF64_MOV64_REG(R3, R0),
	BPF64_LDX_MEM(BPF_DW, R1, R3, 8)),

/* Lookups without the null check. */
#define VMAPNULL(NAME, RESULT, ERR, MSG, ...)				\
	{ .name = "map value: " NAME,					\
	  .insns = { VLOOKUP(0, 0), __VA_ARGS__, VRET(0) },		\
	  .maps = { VMAP_ARRAY(16, 1) },				\
	  .result = RESULT, .err = ERR, .msg = MSG }

VMAPNULL("read without a null check", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("write without a null check", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_ST_MEM(BPF_DW, R0, 0, 1)),
VMAPNULL("arithmetic before the null check", REJECT, EACCES,
	"R0 pointer arithmetic on map_value_or_null prohibited, null-check it first",
	BPF64_ALU64_IMM(BPF_ADD, R0, 8),
	BPF64_JMP_IMM(BPF_JEQ, R0, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("read on the null branch", REJECT, EACCES,
	"R0 invalid mem access 'scalar'",
	BPF64_JMP_IMM(BPF_JNE, R0, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("jeq null check", ACCEPT, 0, NULL,
	BPF64_JMP_IMM(BPF_JEQ, R0, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("null check of a copy marks the original", ACCEPT, 0, NULL,
	BPF64_MOV64_REG(R6, R0),
	BPF64_JMP_IMM(BPF_JEQ, R6, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("null check of a spilled copy marks the fill", ACCEPT, 0, NULL,
	BPF64_STX_MEM(BPF_DW, R10, R0, -16),
	BPF64_JMP_IMM(BPF_JEQ, R0, 0, 2),
	BPF64_LDX_MEM(BPF_DW, R2, R10, -16),
	BPF64_LDX_MEM(BPF_DW, R1, R2, 0)),
/* only a compare with the immediate 0 marks the pointer */
VMAPNULL("null check against a zero register", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_MOV64_IMM(R2, 0),
	BPF64_JMP_REG(BPF_JEQ, R0, R2, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("jle 0 is no null check", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_JMP_IMM(BPF_JLE, R0, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("jmp32 null check", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_JMP32_IMM(BPF_JEQ, R0, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("compare against 1 is no null check", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_JMP_IMM(BPF_JEQ, R0, 1, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPNULL("checked copy, then a second lookup", REJECT, EACCES,
	"R0 invalid mem access 'map_value_or_null'",
	BPF64_MOV64_REG(R6, R0),
	VLOOKUP(0, 0),
	BPF64_JMP_IMM(BPF_JEQ, R6, 0, 1),
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),

/* Read-only and write-only from the program's side. */
#define VMAPRO(NAME, MAP, RESULT, ERR, MSG, ...)			\
	{ .name = "map value: " NAME,					\
	  .insns = { VLOOKUP_OR_RET(0, 0), __VA_ARGS__, VRET(0) },	\
	  .maps = { MAP },						\
	  .result = RESULT, .err = ERR, .msg = MSG }

VMAPRO("read of an rdonly_prog value", VMAP_ARRAY_RO(16), ACCEPT, 0, NULL,
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPRO("write to an rdonly_prog value", VMAP_ARRAY_RO(16), REJECT, EACCES,
	"write into map forbidden, value_size=16 off=0 size=8",
	BPF64_ST_MEM(BPF_DW, R0, 0, 1)),
VMAPRO("stx to an rdonly_prog value", VMAP_ARRAY_RO(16), REJECT, EACCES,
	"write into map forbidden, value_size=16 off=8 size=4",
	BPF64_STX_MEM(BPF_W, R0, R0, 8)),
VMAPRO("atomic on an rdonly_prog value", VMAP_ARRAY_RO(16), REJECT, EACCES,
	"write into map forbidden",
	BPF64_MOV64_IMM(R1, 1),
	BPF64_ATOMIC_OP(BPF_DW, BPF_ADD, R0, R1, 0)),
VMAPRO("read of a wronly_prog value", VMAP_ARRAY_WO(16), REJECT, EACCES,
	"read from map forbidden, value_size=16 off=0 size=8",
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPRO("write to a wronly_prog value", VMAP_ARRAY_WO(16), ACCEPT, 0, NULL,
	BPF64_ST_MEM(BPF_DW, R0, 0, 1)),
VMAPRO("hash value read", VMAP_HASH8, ACCEPT, 0, NULL,
	BPF64_LDX_MEM(BPF_DW, R1, R0, 0)),
VMAPRO("hash value read past its 8 bytes", VMAP_HASH8, REJECT, EACCES,
	"invalid access to map value, value_size=8 off=8 size=1",
	BPF64_LDX_MEM(BPF_B, R1, R0, 8)),
{
	.name = "map value: direct value address (BPF_PSEUDO_MAP_VALUE)",
	.insns = {
		BPF64_LD_MAP_VALUE(R1, 0, 8),
		BPF64_LDX_MEM(BPF_DW, R0, R1, 0),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = ACCEPT, .run = true, .retval = 0,
},
{
	.name = "map value: direct value address past the value",
	.insns = {
		BPF64_LD_MAP_VALUE(R1, 0, 16),
		BPF64_LDX_MEM(BPF_DW, R0, R1, 0),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = REJECT, .err = EINVAL, .msg = "invalid access to map value pointer",
},
{
	.name = "map value: direct value read past the end",
	.insns = {
		BPF64_LD_MAP_VALUE(R1, 0, 8),
		BPF64_LDX_MEM(BPF_DW, R0, R1, 8),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = REJECT, .err = EACCES,
	.msg = "invalid access to map value, value_size=16 off=16 size=8",
},
{
	.name = "map value: direct value address of a hash map",
	.insns = {
		BPF64_LD_MAP_VALUE(R1, 0, 0),
		VRET(0),
	},
	.maps = { VMAP_HASH8 },
	.result = REJECT, .err = EINVAL, .msg = "no direct value access support for this map type",
},
{
	.name = "map value: write through a direct rdonly value",
	.insns = {
		BPF64_LD_MAP_VALUE(R1, 0, 0),
		BPF64_ST_MEM(BPF_DW, R1, 0, 1),
		VRET(0),
	},
	.maps = { VMAP_ARRAY_RO(16) },
	.result = REJECT, .err = EACCES, .msg = "write into map forbidden",
},
{
	.name = "map value: a map pointer written",
	.insns = {
		VMAP_LD(R1, 0),
		BPF64_ST_MEM(BPF_DW, R1, 0, 0),
		VRET(0),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = REJECT, .err = EACCES, .msg = "only read from",
},
{
	.name = "map value: a map pointer read below it",
	.insns = {
		VMAP_LD(R1, 0),
		BPF64_LDX_MEM(BPF_DW, R0, R1, -8),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = REJECT, .err = EACCES, .msg = "invalid negative access: off=-8",
},
{
	.name = "map value: a map pointer read at 0",
	.insns = {
		VMAP_LD(R1, 0),
		BPF64_LDX_MEM(BPF_DW, R0, R1, 0),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	/* a read of struct bpf_map through BTF: allowed for root */
	.result = ACCEPT,
},
{
	.name = "map value: map pointer arithmetic",
	.insns = {
		VMAP_LD(R1, 0),
		BPF64_ALU64_IMM(BPF_ADD, R1, 8),
		VRET(0),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = REJECT, .err = EACCES,
	.msg = "R1 pointer arithmetic on map_ptr prohibited",
},
{
	.name = "map value: a value kept across a helper call in r6",
	.insns = {
		VLOOKUP_OR_RET(0, 0),
		BPF64_MOV64_REG(R6, R0),
		BPF64_CALL_HELPER(BPF_FUNC_ktime_get_ns),
		BPF64_LDX_MEM(BPF_DW, R0, R6, 8),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = ACCEPT, .run = true, .retval = 0,
},
{
	.name = "map value: write then read back",
	.insns = {
		VLOOKUP_OR_RET(0, 0),
		BPF64_ST_MEM(BPF_W, R0, 4, 77),
		BPF64_LDX_MEM(BPF_W, R0, R0, 4),
		BPF64_EXIT_INSN(),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = ACCEPT, .run = true, .retval = 77,
},
{
	.name = "map value: key 1 of a one-entry array is null",
	.insns = {
		VLOOKUP(0, 1),
		BPF64_MOV64_REG(R1, R0),
		VRET(0),
	},
	.maps = { VMAP_ARRAY(16, 1) },
	.result = ACCEPT, .run = true, .retval = 0,
},
/*
 * Linux 6.13 on: an array lookup with a key known at load, below
 * max_entries, cannot fail: no null check needed.
 */
#define VKNOWNKEY(NAME, MAP, RESULT, MSG, ...)				\
	{ .name = "map value: " NAME,					\
	  .insns = { __VA_ARGS__,					\
		     VMAP_LD(R1, 0),					\
		     BPF64_CALL_HELPER(BPF_FUNC_map_lookup_elem),	\
		     BPF64_LDX_MEM(BPF_W, R0, R0, 0),			\
		     BPF64_EXIT_INSN() },				\
	  .maps = { MAP },						\
	  .result = RESULT, .err = RESULT == ACCEPT ? 0 : EACCES,	\
	  .msg = MSG, .run = RESULT == ACCEPT }
#define VKEY_AT(OFF)							\
	BPF64_MOV64_REG(R2, R10),					\
	BPF64_ALU64_IMM(BPF_ADD, R2, OFF)
#define VNULL_READ	"invalid mem access 'map_value_or_null'"
#define VMAP_PCPU_ARRAY(VSIZE, N)					\
	{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, VSIZE, N, 0 }

VKNOWNKEY("u32 key 0 stored at a slot's start", VMAP_ARRAY(16, 2),
	ACCEPT, NULL,
	BPF64_ST_MEM(BPF_W, R10, -8, 0), VKEY_AT(-8)),
VKNOWNKEY("u32 key 1 of 2 stored from a register", VMAP_ARRAY(16, 2),
	ACCEPT, NULL,
	BPF64_MOV64_IMM(R3, 1),
	BPF64_STX_MEM(BPF_W, R10, R3, -8), VKEY_AT(-8)),
VKNOWNKEY("u32 key 0 at fp-4 (zero bytes)", VMAP_ARRAY(16, 2),
	ACCEPT, NULL,
	BPF64_ST_MEM(BPF_W, R10, -4, 0), VKEY_AT(-4)),
VKNOWNKEY("per-CPU array, key 0", VMAP_PCPU_ARRAY(16, 2),
	ACCEPT, NULL,
	BPF64_ST_MEM(BPF_W, R10, -8, 0), VKEY_AT(-8)),
VKNOWNKEY("key 2 of 2 may fail", VMAP_ARRAY(16, 2),
	REJECT, VNULL_READ,
	BPF64_ST_MEM(BPF_W, R10, -8, 2), VKEY_AT(-8)),
VKNOWNKEY("u64 store of the key is not its size", VMAP_ARRAY(16, 2),
	REJECT, VNULL_READ,
	BPF64_ST_MEM(BPF_DW, R10, -8, 0), VKEY_AT(-8)),
VKNOWNKEY("u32 key 1 at fp-4 is bytes", VMAP_ARRAY(16, 2),
	REJECT, VNULL_READ,
	BPF64_ST_MEM(BPF_W, R10, -4, 1), VKEY_AT(-4)),
VKNOWNKEY("hash lookups may fail", VMAP_HASH(4, 16),
	REJECT, VNULL_READ,
	BPF64_ST_MEM(BPF_W, R10, -8, 0), VKEY_AT(-8)),
VKNOWNKEY("unknown key", VMAP_ARRAY(16, 2),
	REJECT, VNULL_READ,
	BPF64_CALL_HELPER(BPF_FUNC_get_prandom_u32),
	BPF64_ALU64_IMM(BPF_AND, R0, 1),
	BPF64_STX_MEM(BPF_W, R10, R0, -8), VKEY_AT(-8)),
