/*
 * libFuzzer harness for the rules parser (afterburner/as/rules.c,
 * rules_check.c): parse, check what came out, match it against a few
 * contexts and nth= positions, let the annotator decide (and count) a few
 * instructions with it, free.  The same
 * input is parsed again with a tiny error buffer, and must give the same
 * verdict and a NUL-terminated (truncated) message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annotate.h"
#include "inline.h"
#include "kinds.h"
#include "rules.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void check_message(const char *err, size_t cap)
{
	size_t n = strnlen(err, cap);
	CHECK(n < cap);                          /* NUL-terminated inside the buffer */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	memset(err, 'x', sizeof err);
	err[sizeof err - 1] = 0;
	struct ab_rules *r = ab_rules_parse((const char *)data, size, "fuzz.rules", err, sizeof err);

	/* The same input with a small buffer: same verdict. */
	size_t small = 1 + (size ? data[0] % 24 : 0);
	char tiny[32];
	memset(tiny, 'y', sizeof tiny);
	tiny[small - 1] = 0;
	struct ab_rules *r2 = ab_rules_parse((const char *)data, size, "fuzz.rules", tiny, small);
	CHECK(!r == !r2);
	if (!r2)
		check_message(tiny, small);
	ab_rules_free(r2);

	if (!r) {
		check_message(err, sizeof err);
		/* Every error names the file and a line: "fuzz.rules:N: ..." */
		CHECK(!strncmp(err, "fuzz.rules:", 11));
		char *end;
		unsigned long line = strtoul(err + 11, &end, 10);
		CHECK(line >= 1 && *end == ':');
		return 0;
	}

	CHECK(r->base_policy >= -1 && r->base_policy <= AB_POLICY_FULL);
	CHECK(!strcmp(r->path, "fuzz.rules"));
	unsigned long long context = 0;
	int any_context = 0, any_nth = 0;
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (ab_kinds[k].cls == AB_CLASS_CONTEXT)
			context |= 1ull << k;
	for (size_t i = 0; i < r->n; i++) {
		const struct ab_rule *x = &r->v[i];
		CHECK(x->action == AB_RULE_ANNOTATE || x->action == AB_RULE_EXCLUDE ||
		      x->action == AB_RULE_EMIT_INLINE);
		CHECK(!(x->kinds & 1));                          /* bit 0 is AB_KIND_NONE */
		CHECK(!(x->kinds >> AB_KIND_COUNT));             /* only real kinds */
		CHECK(x->src_line >= 1);
		CHECK(!x->line || x->file);                      /* a line only with a file */
		CHECK(x->hits == 0);
		/* Context kinds: alone in kind=, annotate only, by function or file. */
		if (x->kinds & context) {
			any_context = 1;
			CHECK(!(x->kinds & ~context));
			CHECK(x->action == AB_RULE_ANNOTATE);
			CHECK(x->function || x->file);
		}
		/* nth=: one kind, in one function named without a glob. */
		CHECK(x->nth <= 100000000);
		if (x->nth) {
			any_nth = 1;
			CHECK(x->function && !strpbrk(x->function, "*?["));
			CHECK(x->kinds && !(x->kinds & (x->kinds - 1)));
		}
		/* emit-inline: named kinds, each with an inline form. */
		if (x->action == AB_RULE_EMIT_INLINE) {
			CHECK(x->kinds);
			for (unsigned k = 1; k < AB_KIND_COUNT; k++)
				CHECK(!((x->kinds >> k) & 1) || ab_kind_inline_len(k));
		}
	}
	CHECK(r->has_context == any_context);
	CHECK(r->has_nth == any_nth);

	struct ab_site_ctx ctx[3];
	memset(ctx, 0, sizeof ctx);
	ctx[0].section = ".text";
	ctx[0].function = "f_hot";
	ctx[0].src_file = "kernel/sched/core.c";
	ctx[0].src_line = 12;
	ctx[0].in_function_section = 1;
	ctx[1].section = ".init.text";
	ctx[1].function = "start_kernel";
	ctx[1].src_file = "/abs/init/main.c";
	ctx[1].src_line = 100000000;
	/* ctx[2]: nothing known */
	for (unsigned k = 0; k <= AB_KIND_COUNT + 1; k++)
		for (int c = 0; c < 3; c++)
			for (unsigned nth = 0; nth < 4; nth++) {
				struct ab_rule *m = ab_rules_match(r, k, &ctx[c], nth);
				CHECK(!m || (m >= r->v && m < r->v + r->n));
				/* Context kinds are selected by name only. */
				CHECK(!m || !(context >> k & 1) || (m->kinds >> k & 1));
				/* An nth= rule: only its instruction; none where there is no count. */
				CHECK(!m || !m->nth || m->nth == nth);
			}

	/* The annotator with these rules, on a store, a load, cli and a read
	 * of %cr3: what becomes a site is consistent with the rules. */
	static const struct { uint8_t n, bytes[4]; } insns[] = {
		{ 2, { 0x89, 0x03 } }, { 3, { 0x8b, 0x43, 0x10 } }, { 1, { 0xfa } }, { 3, { 0x0f, 0x20, 0xd8 } },
	};
	struct ab_annotator ann;
	memset(&ann, 0, sizeof ann);
	ann.policy = AB_POLICY_MINIMAL;
	ann.rules = r;
	ann.diag = stderr;
	ann.quiet = 1;
	/* Each context a function of its own, every instruction twice: the
	 * count of nth= restarts at each function and counts every
	 * instruction of its kind, site or not, in the function's section. */
	for (int c = 0; c < 3; c++) {
		ab_annotate_function(&ann);
		for (int twice = 0; twice < 2; twice++)
			for (size_t i = 0; i < sizeof insns / sizeof insns[0]; i++) {
				struct ab_site_plan plan;
				if (!ab_annotate_insn(&ann, insns[i].bytes, insns[i].n, AB_MODE_32, &ctx[c], &plan))
					continue;
				CHECK(plan.insn.len == insns[i].n && plan.site_len >= plan.insn.len);
				CHECK(plan.site_len >= ab_kinds[plan.insn.kind].site_len);
				if (i < 2) {                     /* memops: only by a context rule */
					CHECK(r->has_context && (context >> plan.insn.kind & 1));
					CHECK((plan.insn.kind == AB_KIND_DEV_WRITE) == (i == 0));
				}
			}
		unsigned want = r->has_nth && ctx[c].in_function_section ? 2 : 0;
		CHECK(ann.nth[AB_KIND_CLI] == want && ann.nth[AB_KIND_MOV_FROM_CR] == want);
		want = r->has_context ? want : 0;       /* memops are only looked at for context rules */
		CHECK(ann.nth[AB_KIND_DEV_WRITE] == want && ann.nth[AB_KIND_DEV_READ] == want);
	}
	ab_rules_free(r);
	return 0;
}
