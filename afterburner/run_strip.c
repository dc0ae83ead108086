/*
 * A guest with DWARF, as a module for the hypervisor.  A Linux vmlinux
 * built with CONFIG_DEBUG_INFO is about 30 MB, nearly all .debug_*; GRUB-
 * style module loading puts it below the hypervisor's kernel pool, which it
 * then starves.  The debug sections are never loaded, so the module can be
 * a copy without them (objcopy --strip-debug): the loadable segments, the
 * symbols and the .afterburn records stay byte for byte what they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_cmd.h"

extern char **environ;

unsigned long ab_run_debug_bytes(const char *path)
{
	unsigned long n = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t shstrndx;
	if (e && elf_kind(e) == ELF_K_ELF && !elf_getshdrstrndx(e, &shstrndx)) {
		for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
			GElf_Shdr sh;
			const char *name = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
			if (name && !strncmp(name, ".debug_", 7))
				n += sh.sh_size;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return n;
}

int ab_run_strip_debug(const char *guest, const char *out, unsigned long dbg)
{
	char *const av[] = { "objcopy", "--strip-debug", (char *)guest, (char *)out, NULL };
	pid_t pid;
	int st = 0;
	int err = posix_spawnp(&pid, "objcopy", NULL, NULL, av, environ);
	if (err || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "afterburn run: objcopy --strip-debug %s %s failed%s%s\n", guest, out,
			err ? ": " : "", err ? strerror(err) : "");
		return -1;
	}
	fprintf(stderr, "afterburn run: %s has %lu bytes of DWARF: the hypervisor gets a copy "
		"without them (the loaded bytes are the same)\n", guest, dbg);
	return 0;
}
