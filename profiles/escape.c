/*
 * Text into JSON and XML.  Symbol names and source lines are bytes from
 * the ELF and the disk: whatever they hold, the output must parse.
 */
#include <string.h>

#include "prof_impl.h"

size_t prof_utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	size_t n = s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
		 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	/* Overlong 3- and 4-byte forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
	    (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
		return 0;
	return n;
}

void prof_clean_text(char *s, size_t max)
{
	unsigned char *p = (unsigned char *)s;
	size_t k = 0, i = 0, len = strlen(s);
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
		i++;
	while (i < len) {
		size_t n = p[i] < 0x80 ? 1 : prof_utf8_len(p + i);
		if (k + (n ? n : 1) > max)
			break;
		if (n > 1) {
			memmove(p + k, p + i, n);
			k += n;
			i += n;
			continue;
		}
		unsigned char c = p[i++];
		p[k++] = c == '\t' ? ' ' : c < 0x20 || c == 0x7f || c >= 0x80 ? '?' : c;
	}
	while (k && p[k - 1] == ' ')
		k--;
	p[k] = 0;
}

void prof_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		size_t n = prof_utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(n ? c : '?', f);
	}
	fputc('"', f);
}

void prof_xml_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = prof_utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(!n || c < 0x20 || c == 0x7f ? '?' : c, f); break;
		}
	}
}
