/*
 * Process "crc": fills a buffer in its demand-paged heap from a linear
 * congruential generator and takes the CRC-32 (zlib's) of that buffer
 * repeated CRC_PASSES times: enough work for the timer to preempt it many
 * times.  The exit status is the CRC; the kernel checks it.
 */
#include "user.h"
#include "expect.h"

#define CHUNK (256 * 1024)

USER static uint32_t crc32(const uint32_t *table, uint32_t crc, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return crc;
}

USER void user_crc_main(void)
{
	uprintf("crc: pid %u, CRC-32 of %u KiB, %u times over\n", ugetpid(),
		CRC_BYTES / 1024, CRC_PASSES);

	/* The table and then the data, both first touched here: every page
	 * arrives through a page fault. */
	uint32_t *table = usbrk(256 * sizeof(uint32_t));
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}

	uint8_t *buf = usbrk(CRC_BYTES);
	uint32_t x = CRC_SEED;
	for (uint32_t off = 0; off < CRC_BYTES; off += CHUNK) {
		for (uint32_t i = off; i < off + CHUNK; i++) {
			x = x * 1664525u + 1013904223u;
			buf[i] = (uint8_t)(x >> 24);
		}
		uyield();
	}
	uprintf("crc: filled %u pages at %x\n", CRC_BYTES / 4096, (uint32_t)buf);

	uint32_t crc = 0xFFFFFFFFu;
	for (uint32_t pass = 1; pass <= CRC_PASSES; pass++) {
		crc = crc32(table, crc, buf, CRC_BYTES);
		if (pass % 16 == 0)
			uprintf("crc: pass %u done\n", pass);
	}
	crc ^= 0xFFFFFFFFu;
	uprintf("crc: crc32 %x (expected %x)\n", crc, EXPECT_CRC);
	uexit(crc);
}
