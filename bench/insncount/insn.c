/*
 * A QEMU TCG plugin that counts the guest instructions executed and prints
 * the total when QEMU exits: "insncount: N" on stderr.  Deterministic, and
 * unlike -icount it needs nothing from the guest (a bare guest and the
 * hypervisor are measured the same way).  Used by bench/vm_overhead.py:
 *   qemu-system-i386 -plugin build/bench/libinsncount.so ...
 *
 * With the argument pads=FILE it also counts the instructions executed at
 * the addresses FILE lists ("ADDR LEN" per line, hex or decimal: the no-op
 * padding of every .afterburn site, which bench/run writes from `afterburn
 * patch --list --json`), and prints "insncount-pads: N".  That is the
 * bare-metal cost of the padding counted exactly, in the same run, with no
 * noise from a different kernel layout.
 *
 * Debian packages QEMU with plugin support but not its header, so the few
 * declarations of the plugin API (QEMU 7.2, plugin API version 1) that we
 * use are written out here.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb, void *userdata);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
						void *ptr, uint64_t imm);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* One vCPU (the machines we run are uniprocessor). */
static uint64_t executed;
static uint64_t executed_in_pads;

/* The padding ranges [start, end), sorted and not overlapping (sites never
 * overlap), looked up by binary search at translation only. */
struct range {
	uint64_t start, end;
};
static struct range *pads;
static size_t npads;

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int in_pad(uint64_t addr)
{
	size_t lo = 0, hi = npads;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < pads[mid].start)
			hi = mid;
		else if (addr >= pads[mid].end)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Reads FILE; on any error says why and refuses to load, so that a bench
 * never reports a padding count of 0 that only means "no list". */
static int load_pads(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "insncount: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 0;
	unsigned long long addr, len;
	int got;
	while ((got = fscanf(f, "%lli %lli", &addr, &len)) == 2) {
		if (npads == cap) {
			cap = cap ? 2 * cap : 1024;
			struct range *n = realloc(pads, cap * sizeof *pads);
			if (!n) {
				fclose(f);
				return -1;
			}
			pads = n;
		}
		pads[npads++] = (struct range){ addr, addr + len };
	}
	fclose(f);
	if (got != EOF || npads == 0) {
		fprintf(stderr, "insncount: %s: expected lines of \"ADDR LEN\" (%zu read)\n", path, npads);
		return -1;
	}
	qsort(pads, npads, sizeof *pads, by_start);
	return 0;
}

/* At translation, add the block's length each time it runs: inline, so
 * the count costs one add per block; and one more add on each instruction
 * that lies in a site's padding. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
	for (size_t i = 0; npads && i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (in_pad(qemu_plugin_insn_vaddr(insn)))
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &executed_in_pads, 1);
	}
}

static void report_at_exit(qemu_plugin_id_t id, void *userdata)
{
	(void)id;
	(void)userdata;
	fprintf(stderr, "insncount: %" PRIu64 "\n", executed);
	if (npads)
		fprintf(stderr, "insncount-pads: %" PRIu64 " (%zu ranges)\n", executed_in_pads, npads);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);
EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "pads=", 5) == 0) {
			if (load_pads(argv[i] + 5))
				return -1;
		} else {
			fprintf(stderr, "insncount: unknown argument %s (only pads=FILE)\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
	return 0;
}
