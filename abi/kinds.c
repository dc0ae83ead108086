/* The kinds table, expanded from kinds.def.  Freestanding. */
#include "kinds.h"

const struct ab_kind_info ab_kinds[AB_KIND_COUNT] = {
	[AB_KIND_NONE] = { "none", AB_CLASS_TRAPPING, 0, AB_LAYOUT_NONE, 0 },
#define PAD_AFTER 0
#define PAD_BEFORE 1
#define KIND(id, nm, class, len, lay, pad) \
	[AB_KIND_##id] = { nm, AB_CLASS_##class, len, AB_LAYOUT_##lay, PAD_##pad },
#include "kinds.def"
#undef KIND
};

const char *ab_class_name(unsigned cls)
{
	switch (cls) {
	case AB_CLASS_SILENT: return "silent";
	case AB_CLASS_TRAPPING: return "trapping";
	case AB_CLASS_CONTEXT: return "context";
	}
	return "unknown";
}

static int name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

enum ab_kind ab_kind_by_name(const char *name)
{
	for (unsigned k = 1; k < AB_KIND_COUNT; k++)
		if (name_eq(ab_kinds[k].name, name))
			return (enum ab_kind)k;
	return AB_KIND_NONE;
}
