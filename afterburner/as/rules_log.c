/* The rules log (rules_log.h). */
#include "rules_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ab_rules_log_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

int ab_rules_log_write(int fd, const struct ab_rules *r)
{
	if (!r->n)
		return 0;
	/* One buffer for all the lines: a single append is atomic with
	 * respect to other appends to the same file. */
	size_t cap = r->n * (strlen(r->path) + 48), len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		int w = snprintf(buf + len, cap - len, "%s:%u %lu\n", r->path, r->v[i].src_line, r->v[i].hits);
		if (w < 0 || (size_t)w >= cap - len) {
			free(buf);
			errno = EOVERFLOW;
			return -1;
		}
		len += (size_t)w;
	}
	ssize_t k = write(fd, buf, len);
	int e = errno;
	free(buf);
	if (k < 0) {
		errno = e;
		return -1;
	}
	if ((size_t)k != len) {
		errno = EIO;        /* a short append (disk full): the log is incomplete */
		return -1;
	}
	return 0;
}
