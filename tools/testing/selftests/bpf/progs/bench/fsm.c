// SPDX-License-Identifier: GPL-2.0
/*
 * A state machine: a table-driven tokenizer over the packet's bytes as
 * text (words, numbers, blanks, line ends), counting words and lines and
 * hashing the numbers' values, as a protocol parser's first pass.  The
 * class of each byte, the next state and the action come from constant
 * tables (.rodata: a global-data map in BPF).
 */
#include "bench.h"

enum state { BLANK, WORD, NUMBER, EOL };

/* Actions, one bit each. */
#define A_WORD_END	1
#define A_LINE		2
#define A_NUM_END	4
#define A_DIGIT		8

#define X(s, c)	((s) * 4 + (c))

static const u8 class_tab[128] = {
	['\n'] = EOL, ['\r'] = EOL,
	['0' ... '9'] = NUMBER,
	['A' ... 'Z'] = WORD, ['a' ... 'z'] = WORD,
};

/* state x class: the next state is the class; the action depends on both */
static const u8 action_tab[16] = {
	[X(BLANK, EOL)] = A_LINE,
	[X(WORD, BLANK)] = A_WORD_END,
	[X(WORD, NUMBER)] = A_WORD_END | A_DIGIT,
	[X(WORD, EOL)] = A_WORD_END | A_LINE,
	[X(NUMBER, BLANK)] = A_NUM_END,
	[X(NUMBER, WORD)] = A_NUM_END,
	[X(NUMBER, NUMBER)] = A_DIGIT,
	[X(NUMBER, EOL)] = A_NUM_END | A_LINE,
	[X(BLANK, NUMBER)] = A_DIGIT,
	[X(EOL, NUMBER)] = A_DIGIT,
	[X(EOL, EOL)] = A_LINE,
};

BENCH(fsm)
{
	u32 state = BLANK, words = 0, lines = 0, num = 0, nsum = 0, i;
	u32 c, cls, act, keep;

	if (data + BENCH_PKT_LEN > end)
		return 0;
	for (i = 0; i < BENCH_PKT_LEN; i++) {
		c = data[i] & 0x7f;
		cls = class_tab[c];
		act = action_tab[X(state, cls) & 15];
		words += act & A_WORD_END;
		lines += act >> 1 & 1;
		/* a number that ended goes into the hash; a digit extends */
		keep = -(act >> 2 & 1);
		bench_opaque(keep);	/* a select, not a branch */
		nsum = ((nsum * 31 + num) & keep) | (nsum & ~keep);
		num = (num * 10 + c - '0') & -(act >> 3 & 1);
		state = cls;
	}
	return words << 20 ^ lines << 10 ^ nsum;
}
