/*
 * A task's C start (after crt0.S): keep the arguments root gave, run main,
 * exit with its status.  Its own file, so root (which has its own _start
 * and no main) does not pull it out of the library.
 */
#include "hvu.h"

int main(int argc, char **argv);
void __hvu_start(const struct hvu_args *a) __attribute__((noreturn));

void __hvu_start(const struct hvu_args *a)
{
	hvu_args = *a;
	if (a->argc && a->argv[0])
		hvu_name = a->argv[0];
	hvu_exit(main((int)a->argc, a->argv));
}
