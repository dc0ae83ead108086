/*
 * Padding no-ops: the recommended multi-byte NOP forms (0F 1F /0), which
 * every P6-class and later CPU, and QEMU's TCG, execute as one instruction.
 * Longer pads are a run of these, so the padding costs few decode slots.
 */
#include "nops.h"

static const uint8_t nop_bytes[AB_NOP_MAX + 1][AB_NOP_MAX] = {
	[1] = { 0x90 },
	[2] = { 0x66, 0x90 },
	[3] = { 0x0f, 0x1f, 0x00 },
	[4] = { 0x0f, 0x1f, 0x40, 0x00 },
	[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[6] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	[7] = { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	[8] = { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void ab_nop_fill(uint8_t *buf, size_t n)
{
	while (n) {
		size_t k = n > AB_NOP_MAX ? AB_NOP_MAX : n;
		for (size_t i = 0; i < k; i++)
			buf[i] = nop_bytes[k][i];
		buf += k;
		n -= k;
	}
}

static int starts_with(const uint8_t *buf, size_t n, size_t k)
{
	if (k > n)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (buf[i] != nop_bytes[k][i])
			return 0;
	return 1;
}

int ab_is_padding(const uint8_t *buf, size_t n)
{
	while (n) {
		size_t k = AB_NOP_MAX;
		while (k && !starts_with(buf, n, k))
			k--;
		if (!k)
			return 0;
		buf += k;
		n -= k;
	}
	return 1;
}
