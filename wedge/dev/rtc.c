/*
 * The CMOS RTC (an MC146818 at 0x70/0x71): 128 bytes of battery RAM, the
 * first 14 of them the clock's registers.
 *
 * The clock: a fixed base date (RTC_BASE_*) plus vcpu->ticks / 1000
 * seconds, plus whatever offset the guest sets by writing the time.  Time
 * registers are computed when read, in BCD or binary and 12 or 24 hours as
 * register B says, and frozen while B's SET bit is on (the guest then
 * writes a new time, which counts from when SET is cleared) - as QEMU's
 * mc146818 behaves.  Register A never shows update-in-progress (a guest
 * polling it is never held up); B is 0x02 (24 hours, BCD) as SeaBIOS
 * leaves it; C is 0 but for the update-ended flag, set once a second has
 * passed since C was last read; D is 0x80 (valid RAM and time).  No RTC
 * interrupt (IRQ 8) is raised.  Bit 7 of the index (NMI mask) is ignored;
 * reading port 0x70 gives 0xFF, as QEMU does.
 */
#include "devices.h"

#define REG_A 0x0A
#define REG_B 0x0B
#define REG_C 0x0C
#define REG_D 0x0D
#define B_SET 0x80
#define B_DM  0x04      /* binary, not BCD */
#define B_24H 0x02
#define C_UF  0x10
#define CENTURY 0x32

/* The base: 2026-12-01 00:00:00, in seconds since 2000-01-01 00:00:00. */
#define RTC_BASE_SECS (9831u * 86400u)

static uint8_t cmos[128];
static uint8_t cmos_index;
static uint32_t offset_secs;     /* the clock: base + offset + ticks/1000 */
static uint32_t c_read_sec;      /* when register C was last read */

static uint32_t uptime_secs(void)
{
	return dev_now_ms() / 1000;
}

static uint32_t now_secs(void)
{
	return RTC_BASE_SECS + offset_secs + uptime_secs();
}

static int leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)   /* m 1..12 */
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return days[m - 1] + (m == 2 && leap(y));
}

struct rtc_time {
	unsigned sec, min, hour, wday, mday, mon, year;   /* wday 1 = Sunday; year 2000.. */
};

static void secs_to_time(uint32_t t, struct rtc_time *tm)
{
	uint32_t days = t / 86400, s = t % 86400;
	tm->sec = s % 60;
	tm->min = s / 60 % 60;
	tm->hour = s / 3600;
	tm->wday = (days + 6) % 7 + 1;   /* 2000-01-01 was a Saturday */
	unsigned y = 2000, m = 1;
	while (days >= 365u + leap(y))
		days -= 365u + leap(y), y++;
	while (days >= month_days(y, m))
		days -= month_days(y, m), m++;
	tm->mday = days + 1;
	tm->mon = m;
	tm->year = y;
}

static uint32_t time_to_secs(const struct rtc_time *tm)
{
	uint32_t days = 0;
	for (unsigned y = 2000; y < tm->year; y++)
		days += 365u + leap(y);
	for (unsigned m = 1; m < tm->mon && m <= 12; m++)
		days += month_days(tm->year, m);
	days += tm->mday ? tm->mday - 1 : 0;
	return days * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec;
}

static uint8_t to_reg(unsigned v)
{
	return cmos[REG_B] & B_DM ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned from_reg(uint8_t v)
{
	return cmos[REG_B] & B_DM ? v : (unsigned)(v >> 4) * 10 + (v & 0x0F);
}

/* The running clock into registers 0, 2, 4, 6-9. */
static void time_to_cmos(void)
{
	struct rtc_time tm;
	secs_to_time(now_secs(), &tm);
	cmos[0] = to_reg(tm.sec);
	cmos[2] = to_reg(tm.min);
	if (cmos[REG_B] & B_24H) {
		cmos[4] = to_reg(tm.hour);
	} else {
		unsigned h = tm.hour % 12 ? tm.hour % 12 : 12;
		cmos[4] = (uint8_t)(to_reg(h) | (tm.hour >= 12 ? 0x80 : 0));
	}
	cmos[6] = to_reg(tm.wday);
	cmos[7] = to_reg(tm.mday);
	cmos[8] = to_reg(tm.mon);
	cmos[9] = to_reg(tm.year % 100);
}

/* Registers 0, 2, 4, 7-9 (the guest's new time) into the clock. */
static void cmos_to_time(void)
{
	struct rtc_time tm;
	tm.sec = from_reg(cmos[0]) % 60;
	tm.min = from_reg(cmos[2]) % 60;
	tm.hour = from_reg(cmos[4] & 0x7F);
	if (!(cmos[REG_B] & B_24H)) {
		tm.hour %= 12;
		if (cmos[4] & 0x80)
			tm.hour += 12;
	}
	tm.hour %= 24;
	tm.mday = from_reg(cmos[7]);
	tm.mon = from_reg(cmos[8]);
	tm.year = 2000 + from_reg(cmos[9]) % 100;   /* QEMU's pc: base year 2000 */
	if (tm.mon < 1 || tm.mon > 12)
		tm.mon = 1;
	if (tm.mday < 1 || tm.mday > month_days(tm.year, tm.mon))
		tm.mday = 1;
	offset_secs = time_to_secs(&tm) - RTC_BASE_SECS - uptime_secs();
}

static int is_time_reg(uint8_t i)
{
	return i <= 9 && i != 1 && i != 3 && i != 5;   /* the alarms are plain bytes */
}

void rtc_reset(uint32_t mem_size)
{
	for (int i = 0; i < 128; i++)
		cmos[i] = 0;
	cmos_index = 0;
	offset_secs = 0;
	c_read_sec = uptime_secs();
	cmos[REG_A] = 0x26;     /* 32.768 kHz time base, 1024 Hz rate */
	cmos[REG_B] = B_24H;
	cmos[REG_D] = 0x80;
	cmos[CENTURY] = 0x20;
	cmos[0x37] = 0x20;      /* the PS/2 century byte */
	/* What QEMU's pc puts in CMOS for the BIOS (read on bare QEMU): a
	 * 1.44 MB floppy type, the equipment byte, the boot order; base
	 * memory 640 KiB, extended memory above 1 MiB in KiB, and above
	 * 16 MiB in 64 KiB units. */
	cmos[0x10] = 0x50;
	cmos[0x14] = 0x07;
	cmos[0x38] = 0x30;
	cmos[0x3D] = 0x12;
	cmos[0x15] = 0x80, cmos[0x16] = 0x02;
	uint32_t ext = mem_size > 0x100000 ? (mem_size - 0x100000) >> 10 : 0;
	if (ext > 0xFFFF)
		ext = 0xFFFF;
	cmos[0x17] = cmos[0x30] = (uint8_t)ext;
	cmos[0x18] = cmos[0x31] = (uint8_t)(ext >> 8);
	uint32_t high = mem_size > 0x1000000 ? (mem_size - 0x1000000) >> 16 : 0;
	if (high > 0xFFFF)
		high = 0xFFFF;
	cmos[0x34] = (uint8_t)high;
	cmos[0x35] = (uint8_t)(high >> 8);
}

uint32_t rtc_in(uint16_t port, unsigned size)
{
	(void)size;
	if (!(port & 1))
		return 0xFF;
	uint8_t i = cmos_index;
	if (is_time_reg(i)) {
		if (!(cmos[REG_B] & B_SET))
			time_to_cmos();
		return cmos[i];
	}
	if (i == REG_C) {
		uint32_t now = uptime_secs();
		uint8_t c = cmos[REG_C];
		if (now != c_read_sec && !(cmos[REG_B] & B_SET))
			c |= C_UF;      /* an update ended since the last read */
		c_read_sec = now;
		cmos[REG_C] = 0;
		return c;
	}
	return cmos[i];
}

void rtc_out(uint16_t port, unsigned size, uint32_t value)
{
	(void)size;
	uint8_t val = (uint8_t)value;
	if (!(port & 1)) {
		cmos_index = val & 0x7F;
		return;
	}
	uint8_t i = cmos_index;
	if (is_time_reg(i)) {
		int running = !(cmos[REG_B] & B_SET);
		if (running)
			time_to_cmos();
		cmos[i] = val;
		if (running)
			cmos_to_time();
		return;
	}
	switch (i) {
	case REG_A:             /* UIP (bit 7) is read-only */
		cmos[REG_A] = val & 0x7F;
		break;
	case REG_B:
		if ((val & B_SET) && !(cmos[REG_B] & B_SET))
			time_to_cmos();          /* freeze what the guest will edit */
		else if (!(val & B_SET) && (cmos[REG_B] & B_SET)) {
			cmos[REG_B] = val;       /* decode in the new format */
			cmos_to_time();
		}
		cmos[REG_B] = val;
		break;
	case REG_C:             /* read-only */
	case REG_D:
		break;
	default:
		cmos[i] = val;
	}
}
