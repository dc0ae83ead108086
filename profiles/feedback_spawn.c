/*
 * The child processes of `afterburn feedback`: the user's build command
 * under /bin/sh with the afterburner's environment, and this very program
 * again for `afterburn run` and `afterburn prof rules`, so that each step
 * is exactly the command a user would type (and prints it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feedback_impl.h"

/* Redirect fd to path (truncated), in the child. */
static void redirect(int fd, const char *path)
{
	if (!path)
		return;
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (f < 0 || dup2(f, fd) < 0) {
		fprintf(stderr, "afterburn feedback: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(f);
}

int fb_spawn(char *const argv[], const struct fb_env *env, const char *out, const char *err)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "afterburn feedback: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		for (const struct fb_env *e = env; e && e->name; e++) {
			if (e->value)
				setenv(e->name, e->value, 1);
			else
				unsetenv(e->name);
		}
		redirect(1, out);
		if (err && out && !strcmp(err, out))
			dup2(1, 2);          /* one log for both, in order */
		else
			redirect(2, err);
		execv(argv[0], argv);
		fprintf(stderr, "afterburn feedback: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* This program, for the run and prof steps. */
const char *fb_self(void)
{
	static char path[4096];
	if (!path[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
		if (n <= 0)
			return "afterburn";
		path[n] = 0;
	}
	return path;
}
