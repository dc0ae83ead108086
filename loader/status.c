/* Names and texts of the loader's status codes (docs/loader.md lists them). */
#include "loader.h"

struct status_text {
	const char *name, *text;
};

static const struct status_text ld_status[AB_LD_STATUS_COUNT] = {
	[AB_LD_OK] = { "OK", "success" },
	[AB_LD_E_TRUNCATED] = { "E_TRUNCATED", "a header or table lies past the end of the image" },
	[AB_LD_E_NOT_ELF] = { "E_NOT_ELF", "not an ELF image" },
	[AB_LD_E_UNSUPPORTED] = { "E_UNSUPPORTED", "unsupported ELF class, byte order, version, machine or type" },
	[AB_LD_E_PHDR] = { "E_PHDR", "malformed program header table" },
	[AB_LD_E_SHDR] = { "E_SHDR", "malformed section header table or section" },
	[AB_LD_E_SEGMENT] = { "E_SEGMENT", "malformed loadable segment (filesz > memsz, wraps, or outside the file)" },
	[AB_LD_E_OVERLAP] = { "E_OVERLAP", "two loadable segments overlap" },
	[AB_LD_E_WINDOW] = { "E_WINDOW", "a segment does not fit the memory window" },
	[AB_LD_E_SITES] = { "E_SITES", "malformed .afterburn section or start/end symbols" },
	[AB_LD_E_TOO_MANY] = { "E_TOO_MANY", "more records, segments or call sites than there is room for" },
	[AB_LD_E_WEDGE] = { "E_WEDGE", "the wedge's export table is missing or malformed" },
	[AB_LD_E_TARGET] = { "E_TARGET", "the target cannot be applied to this image" },
	[AB_LD_E_ARG] = { "E_ARG", "invalid argument" },
};

static const struct status_text site_status[AB_SITE_STATUS_COUNT] = {
	[AB_SITE_OK] = { "OK", "valid" },
	[AB_SITE_E_VERSION] = { "E_VERSION", "record version is not 1" },
	[AB_SITE_E_KIND] = { "E_KIND", "unknown kind" },
	[AB_SITE_E_LENGTH] = { "E_LENGTH", "the site length does not cover the instruction" },
	[AB_SITE_E_OUTSIDE] = { "E_OUTSIDE", "the site is not inside a loaded segment" },
	[AB_SITE_E_NOEXEC] = { "E_NOEXEC", "the site is not in executable code" },
	[AB_SITE_E_OVERLAP] = { "E_OVERLAP", "the site overlaps another site" },
	[AB_SITE_E_BYTES] = { "E_BYTES", "the bytes are not the recorded instruction followed by no-ops" },
	[AB_SITE_E_MODE] = { "E_MODE", "64-bit site in a 32-bit image" },
	[AB_SITE_E_RELOC] = { "E_RELOC", "the record's relocation is missing or unusable" },
};

static const char *const outcome_name[AB_OUT_COUNT] = {
	[AB_OUT_NONE] = "none",
	[AB_OUT_INLINE] = "inline",
	[AB_OUT_CALL] = "call",
	[AB_OUT_LEFT_TARGET] = "left-target",
	[AB_OUT_LEFT_NATIVE] = "left-native",
	[AB_OUT_LEFT_NOFIT] = "left-nofit",
	[AB_OUT_LEFT_NOENTRY] = "left-noentry",
};

static const char *const target_name[AB_TARGET_COUNT] = {
	[AB_TARGET_BARE] = "bare",
	[AB_TARGET_L4] = "l4",
	[AB_TARGET_TRAP] = "trap",
};

const char *ab_ld_status_name(unsigned s)
{
	return s < AB_LD_STATUS_COUNT ? ld_status[s].name : "E_UNKNOWN";
}

const char *ab_ld_status_text(unsigned s)
{
	return s < AB_LD_STATUS_COUNT ? ld_status[s].text : "unknown status";
}

const char *ab_site_status_name(unsigned s)
{
	return s < AB_SITE_STATUS_COUNT ? site_status[s].name : "E_UNKNOWN";
}

const char *ab_site_status_text(unsigned s)
{
	return s < AB_SITE_STATUS_COUNT ? site_status[s].text : "unknown status";
}

const char *ab_site_outcome_name(unsigned o)
{
	return o < AB_OUT_COUNT ? outcome_name[o] : "unknown";
}

const char *ab_target_name(unsigned t)
{
	return t < AB_TARGET_COUNT ? target_name[t] : "unknown";
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int ab_target_by_name(const char *name)
{
	for (unsigned t = 0; t < AB_TARGET_COUNT; t++)
		if (str_eq(target_name[t], name))
			return (int)t;
	return -1;
}
