/*
 * The classes of trap-dump kinds (docs/abi/trap-dump.md): which spellings
 * are valid and what each counts as.  Spellings are checked to be the
 * hypervisor's canonical ones (no leading zeros, lowercase hex), so that
 * one (eip, kind) has one spelling and duplicates can be found.
 */
#include <string.h>

#include "kinds.h"
#include "prof.h"

static const char *const names[PROF_NCLASSES] = {
	[PROF_SENSITIVE] = "sensitive", [PROF_EXCEPTION] = "exception", [PROF_SYSCALL] = "syscall",
	[PROF_IRQ] = "irq", [PROF_HIDDEN_PF] = "hidden-pf", [PROF_HYPERCALL] = "hypercall",
	[PROF_UNKNOWN] = "unknown",
};

const char *prof_class_name(enum prof_class c)
{
	return (unsigned)c < PROF_NCLASSES ? names[c] : "?";
}

int prof_class_by_name(const char *name)
{
	for (int c = 0; c < PROF_NCLASSES; c++)
		if (!strcmp(names[c], name))
			return c;
	return -1;
}

/* A canonical number <= 255: decimal, or lowercase hex after "0x". */
static int small_number(const char *s, int hex)
{
	unsigned v = 0;
	size_t n = 0;
	if (hex) {
		if (s[0] != '0' || s[1] != 'x')
			return 0;
		s += 2;
	}
	for (; s[n]; n++) {
		unsigned d;
		if (s[n] >= '0' && s[n] <= '9')
			d = (unsigned)(s[n] - '0');
		else if (hex && s[n] >= 'a' && s[n] <= 'f')
			d = (unsigned)(s[n] - 'a' + 10);
		else
			return 0;
		v = v * (hex ? 16 : 10) + d;
		if (v > 255)
			return 0;
	}
	return n > 0 && !(n > 1 && s[0] == '0');
}

/* A hypercall's name: what the hypervisor's table holds, or "?" for a
 * number beyond it.  Any lowercase word, so a new hypercall is no error. */
static int hypercall_name(const char *s)
{
	if (!strcmp(s, "?"))
		return 1;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int prof_classify(const char *kind)
{
	static const struct { const char *prefix; int cls, hex; } num[] = {
		{ "exception:", PROF_EXCEPTION, 0 },
		{ "int:", PROF_SYSCALL, 1 },
		{ "irq:", PROF_IRQ, 0 },
		{ "unknown:", PROF_UNKNOWN, 0 },
	};
	if (strlen(kind) >= PROF_KIND_MAX)
		return -1;
	if (!strcmp(kind, "hidden-pf"))
		return PROF_HIDDEN_PF;
	if (!strncmp(kind, "hypercall:", 10))
		return hypercall_name(kind + 10) ? PROF_HYPERCALL : -1;
	for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
		size_t l = strlen(num[i].prefix);
		if (!strncmp(kind, num[i].prefix, l))
			return small_number(kind + l, num[i].hex) ? num[i].cls : -1;
	}
	/* Every kind of the table is a sensitive instruction, whatever its
	 * class there (silent, trapping, or context: dev-write, dev-read). */
	return ab_kind_by_name(kind) != AB_KIND_NONE ? PROF_SENSITIVE : -1;
}
