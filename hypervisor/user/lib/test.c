/*
 * Test helpers in the manner of XTF: one line per check, prefixed with the
 * task's name, then "Test result: SUCCESS|FAILURE|SKIP" as the last line
 * (tests/test_hypervisor.py reads it).
 */
#include "hvu.h"

unsigned test_failures;
static unsigned checks;

int check(int ok, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	uvsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	checks++;
	if (!ok)
		test_failures++;
	uprintf("%s: %s %s\n", hvu_name, ok ? "ok  " : "FAIL", what);
	return ok;
}

int test_report(void)
{
	uprintf("%s: %u checks, %u failed\n", hvu_name, checks, test_failures);
	uprintf("Test result: %s\n", test_failures ? "FAILURE" : "SUCCESS");
	return test_failures ? HVU_EXIT_FAILURE : HVU_EXIT_SUCCESS;
}

void test_done(void)
{
	hvu_exit(test_report());
}

void test_skip(const char *why)
{
	uprintf("%s: skipped: %s\n", hvu_name, why);
	uprintf("Test result: SKIP\n");
	hvu_exit(HVU_EXIT_SKIP);
}
