/*
 * libFuzzer harness for the trap-dump reader of `afterburn run`
 * (afterburner/run_dump.c, docs/abi/trap-dump.md): a console log in, a
 * checked dump and its per-kind summary out.  The log comes from a guest's
 * machine, so it is outside input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_cmd.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct ab_trapdump d;
	int st = ab_trapdump_find(text, &d);
	if (st == 0) {
		CHECK(d.begin && d.end && d.begin >= text && d.end <= text + size && d.begin < d.end);
		FILE *f = fopen("/dev/null", "w");
		if (f) {
			ab_trapdump_summary(f, &d);
			fclose(f);
		}
	}
	free(text);
	return 0;
}
