/*
 * Booting a guest VM from the modules (docs/run.md): guest memory is one
 * contiguous, zeroed block of host-physical memory; the guest ELF's
 * segments go there at their physical addresses, the wedge's into a copy
 * at its link addresses; the loader patches the guest's sites for l4 or
 * trap and fills the wedge's site table; the PVH start info and the
 * wedge's boot block follow; then HV_SYS_VM_CREATE and THREAD_START at the
 * wedge's entry.  Root then pages the VM (vm_pager.c).  Every failure is
 * one line on the kernel's debug console and ends the run (VM_DEATH_CODE).
 */
#include <stdarg.h>

#include "vm.h"
#include "loader_impl.h"   /* ab_symbol_value: the wedge's `wedge_boot` */

struct vmachine vm;

static const char *status_names[] = {
	"HV_OK", "HV_E_TIMEOUT", "HV_E_NOTHREAD", "HV_E_PERM", "HV_E_INVAL",
	"HV_E_NOMEM", "HV_E_MAP", "HV_E_NOSYS", "HV_E_CANCELED",
};

const char *hv_status_name(uint32_t st)
{
	return st < sizeof status_names / sizeof status_names[0] ? status_names[st] : "HV_E_?";
}

void vm_die(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	uvsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	uprintf("root: vm %s: %s\n", vm.name[0] ? vm.name : "?", line);
	if (vm.running) {
		hv_thread_kill(vm.tid);
		vm.running = 0;
		uprintf("root: vm %s: killed\n", vm.name);
	}
	hv_shutdown(VM_DEATH_CODE);
	for (;;)
		;
}

/* --- module lines ---------------------------------------------------------- */

/* The n-th word (0: the file) of a module's line: its start, length in *len. */
static const char *word(const char *s, unsigned n, unsigned *len)
{
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			return 0;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (n-- == 0) {
			*len = (unsigned)(s - w);
			return w;
		}
	}
}

static int word_is(const char *w, unsigned len, const char *lit)
{
	unsigned n = (unsigned)ustrlen(lit);
	return w && len == n && !memcmp(w, lit, n);
}

/* A module's role: the second word of its line. */
enum vm_role vm_role_of(unsigned module)
{
	if (module < 1 || module > bi->nmodules)
		return ROLE_TASK;
	unsigned len = 0;
	const char *w = word(bi->modules[module].cmdline, 1, &len);
	if (word_is(w, len, "vm"))
		return ROLE_VM;
	if (word_is(w, len, "wedge"))
		return ROLE_WEDGE;
	if (word_is(w, len, "initrd"))
		return ROLE_INITRD;
	if (word_is(w, len, "cmdline"))
		return ROLE_CMDLINE;
	return ROLE_TASK;
}

/* Decimal, whole word; -1 if it is not one. */
static long number(const char *s, unsigned len)
{
	long v = 0;
	if (!len || len > 9)
		return -1;
	for (unsigned i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The guest's options: target=l4|trap, mem=MiB, append=REST OF THE LINE. */
static void parse_vm_line(const char *line)
{
	unsigned len = 0;
	const char *w = word(line, 0, &len);
	unsigned start = 0, n = 0;
	for (unsigned i = 0; w && i < len; i++)
		if (w[i] == '/')
			start = i + 1;
	n = len - start;
	if (n > 4 && !memcmp(w + start + n - 4, ".elf", 4))
		n -= 4;
	if (n > sizeof vm.name - 1)
		n = sizeof vm.name - 1;
	memcpy(vm.name, w + start, n);
	vm.name[n] = 0;
	vm.target = AB_TARGET_L4;
	uint32_t mib = VM_MEM_DEFAULT_MIB;
	for (unsigned i = 2; (w = word(line, i, &len)); i++) {
		if (len >= 7 && !memcmp(w, "append=", 7)) {
			vm.append = w + 7;             /* the rest of the line, spaces and all */
			break;
		} else if (len > 7 && !memcmp(w, "target=", 7)) {
			if (word_is(w + 7, len - 7, "l4"))
				vm.target = AB_TARGET_L4;
			else if (word_is(w + 7, len - 7, "trap"))
				vm.target = AB_TARGET_TRAP;
			else
				vm_die("bad target '%s' (l4 or trap)", w + 7);
		} else if (len > 4 && !memcmp(w, "mem=", 4)) {
			long v = number(w + 4, len - 4);
			if (v < (long)VM_MEM_MIN_MIB || (uint32_t)v > AB_GUEST_PHYS_LIMIT / MIB)
				vm_die("bad mem= (MiB, %u..%u)", VM_MEM_MIN_MIB, AB_GUEST_PHYS_LIMIT / MIB);
			mib = (uint32_t)v;
		} else {
			vm_die("unknown option '%s'", w);
		}
	}
	vm.mem = mib * MIB;
}

/* --- loading ------------------------------------------------------------------ */

static void parse_elf(struct ab_image *img, unsigned module, const char *what)
{
	const struct hv_module *m = &bi->modules[module];
	int r = ab_image_parse(img, WIN(m->start), m->end - m->start);
	if (r || img->is64 || img->machine != 3 || img->type != 2 || !img->nsegs)
		vm_die("the %s (module %u) is not an i386 executable (%s)", what, module,
		       ab_ld_status_name((unsigned)r));
}

static void load_guest(void)
{
	parse_elf(&vm.gimg, vm.module, "guest");
	const struct ab_image *g = &vm.gimg;
	uint32_t lo = 0xFFFFFFFFu, hi = 0;
	for (unsigned i = 0; i < g->nsegs; i++) {
		const struct ab_seg *s = &g->segs[i];
		if (s->paddr >= vm.mem || s->memsz > vm.mem - s->paddr)
			vm_die("segment %u at %x (+%x) lies outside guest memory (%u MiB)", i,
			       (uint32_t)s->paddr, (uint32_t)s->memsz, vm.mem >> 20);
		if (s->paddr < PVH_AREA_HI && s->paddr + s->memsz > PVH_AREA_LO)
			vm_die("segment %u at %x overlaps the PVH start info (%x-%x)", i,
			       (uint32_t)s->paddr, PVH_AREA_LO, PVH_AREA_HI);
		if (s->paddr < PVH_BOOT_STACK_TOP && s->paddr + s->memsz > PVH_BOOT_STACK_LO)
			vm_die("segment %u at %x overlaps the boot stack (%x-%x)", i,
			       (uint32_t)s->paddr, PVH_BOOT_STACK_LO, PVH_BOOT_STACK_TOP);
		if (s->paddr < lo)
			lo = (uint32_t)s->paddr;
		if (s->paddr + s->memsz > hi)
			hi = (uint32_t)(s->paddr + s->memsz);
	}
	vm.gbase = phys_block((vm.mem + BLOCK - 1) & ~(BLOCK - 1), BLOCK);
	if (!vm.gbase)
		vm_die("no free block of %u MiB (4 MiB aligned) for guest memory: give QEMU more -m",
		       vm.mem >> 20);
	phys_zero(vm.gbase, vm.mem);
	int r = ab_image_load(g, WIN(vm.gbase), 0, vm.mem);
	if (r)
		vm_die("loading the guest: %s", ab_ld_status_name((unsigned)r));
	r = ab_image_pvh_entry(g, &vm.entry);
	if (r || !vm.entry)
		vm_die("no PVH entry (Xen ELF note 18) in the guest (%s)", ab_ld_status_name((unsigned)r));
	uprintf("root: vm %s: guest %x-%x, PVH entry %x, %u MiB at host %x\n", vm.name, lo, hi,
		vm.entry, vm.mem >> 20, vm.gbase);
}

static void load_wedge(void)
{
	if (!vm.wedge_mod)
		vm_die("no wedge module (a line 'WEDGE.elf wedge')");
	parse_elf(&vm.wimg, vm.wedge_mod, "wedge");
	const struct ab_image *w = &vm.wimg;
	uint32_t lo = 0xFFFFFFFFu, hi = 0;
	for (unsigned i = 0; i < w->nsegs; i++) {
		const struct ab_seg *s = &w->segs[i];
		if (!wedge_seg_backed(s))
			continue;
		if (s->vaddr < AB_WEDGE_BASE || s->vaddr >= AB_VM_UTCB_AREA ||
		    s->memsz > AB_VM_UTCB_AREA - s->vaddr)
			vm_die("wedge segment %u at %x (+%x) is outside %x-%x", i, (uint32_t)s->vaddr,
			       (uint32_t)s->memsz, AB_WEDGE_BASE, AB_VM_UTCB_AREA);
		if ((s->vaddr & ~0xFFFull) < lo)
			lo = (uint32_t)s->vaddr & ~0xFFFu;
		uint32_t end = (uint32_t)((s->vaddr + s->memsz + 0xFFF) & ~0xFFFull);
		if (end > hi)
			hi = end;
	}
	uint32_t size = hi - lo, align = 4096;
	while (align < size && align < BLOCK)
		align <<= 1;
	vm.wlo = lo;
	vm.whi = hi;
	vm.wbase = phys_block(size, align);
	if (!vm.wbase)
		vm_die("no free block of %u KiB for the wedge", size >> 10);
	phys_zero(vm.wbase, size);
	if (!hi)
		vm_die("the wedge has no segment to load");
	for (unsigned i = 0; i < w->nsegs; i++) {
		const struct ab_seg *s = &w->segs[i];
		if (!wedge_seg_backed(s))
			continue;
		memcpy(WIN(vm.wbase) + ((uint32_t)s->vaddr - lo), w->data + s->offset, (size_t)s->filesz);
	}
	uprintf("root: vm %s: wedge %x-%x at host %x, entry %x\n", vm.name, lo, hi, vm.wbase,
		(uint32_t)w->entry);
}

/* The guest's sites for vm.target, with the wedge's site table filled in
 * root's copy of the wedge. */
static void patch_guest(void)
{
	struct ab_wedge w;
	int r = ab_wedge_parse(&vm.wimg, &w);
	if (r)
		vm_die("the wedge's export table: %s", ab_ld_status_name((unsigned)r));
	size_t n = 0;
	r = ab_sites_collect(&vm.gimg, 0, 0, &n);
	if (r && r != AB_LD_E_TOO_MANY)
		vm_die("the guest's sites: %s", ab_ld_status_name((unsigned)r));
	uint32_t bytes = ((uint32_t)(n * sizeof(struct ab_site)) + 0xFFF) & ~0xFFFu, scratch = 0;
	if (n * sizeof(struct ab_site) > VM_MAX_SITES_BYTES)
		vm_die("%u site records: too many", (unsigned)n);
	if (bytes && !(scratch = phys_block(bytes, 4096)))
		vm_die("no memory for %u site records", (unsigned)n);
	struct ab_site *sites = scratch ? (struct ab_site *)WIN(scratch) : 0;
	if (n && (r = ab_sites_collect(&vm.gimg, sites, n, &n)))
		vm_die("the guest's sites: %s", ab_ld_status_name((unsigned)r));
	if (w.site_table < vm.wlo || w.site_table >= vm.whi || w.site_table_size > vm.whi - w.site_table)
		vm_die("the wedge's site table (%x, %u bytes) is outside its image", w.site_table,
		       w.site_table_size);
	struct ab_site_table_out table = {
		(struct ab_wedge_site_table *)(WIN(vm.wbase) + (w.site_table - vm.wlo)), w.site_table_size,
	};
	struct ab_backing out = { WIN(vm.gbase), 0, vm.mem, 1 };
	static struct ab_patch_stats stats;
	r = ab_patch(&vm.gimg, sites, n, (enum ab_target)vm.target, &w, &out, &table, &stats);
	for (uint32_t p = 0; p < bytes; p += 4096)
		frame_free(scratch + p);
	if (r)
		vm_die("patching for %s: %s", ab_target_name(vm.target), ab_ld_status_name((unsigned)r));
	uint32_t calls = 0;
	for (unsigned k = 0; k < AB_KIND_COUNT; k++)
		calls += stats.by_outcome[AB_OUT_CALL][k];
	uprintf("root: vm %s: target %s: %u sites, %u patched (%u calls), %u left, %u rejected\n",
		vm.name, ab_target_name(vm.target), stats.records, stats.patched, calls, stats.left,
		stats.rejected_total);
}

/* struct ab_wedge_boot at the wedge's symbol `wedge_boot`, in root's copy. */
static void write_boot_block(void)
{
	uint64_t at = 0;
	int r = ab_symbol_value(&vm.wimg, "wedge_boot", &at);
	if (r != 1)
		vm_die("the wedge has no symbol wedge_boot%s", r < 0 ? " (bad symbol table)" : "");
	if (at < vm.wlo || at >= vm.whi || vm.whi - at < sizeof(struct ab_wedge_boot))
		vm_die("wedge_boot (%x) is outside the wedge's image", (uint32_t)at);
	struct ab_wedge_boot b = {
		.magic = AB_WEDGE_BOOT_MAGIC,
		.version = AB_VCPU_VERSION,
		.entry = vm.entry,
		.start_info = PVH_START,
		.mem_size = vm.mem,
		.console_tid = console_tid,
		.boot_esp = PVH_BOOT_STACK_TOP,
	};
	memcpy(WIN(vm.wbase) + ((uint32_t)at - vm.wlo), &b, sizeof b);
}

/* --- the VM ------------------------------------------------------------------- */

void vm_boot(void)
{
	for (unsigned i = 2; i <= bi->nmodules; i++) {
		switch (vm_role_of(i)) {
		case ROLE_VM:
			if (vm.module)
				vm_die("module %u: one VM per boot (module %u is the guest)", i, vm.module);
			vm.module = i;
			break;
		case ROLE_WEDGE: vm.wedge_mod = i; break;
		case ROLE_INITRD: vm.initrd_mod = i; break;
		case ROLE_CMDLINE: vm.cmdline_mod = i; break;
		default: break;
		}
	}
	if (!vm.module) {
		if (vm.wedge_mod || vm.initrd_mod || vm.cmdline_mod)
			vm_die("a wedge, initrd or cmdline module, but no guest (a line 'GUEST.elf vm')");
		return;
	}
	vm.present = 1;
	parse_vm_line(bi->modules[vm.module].cmdline);
	if (!console_tid)
		vm_die("no console server: the guest's UART output would go nowhere");
	load_guest();
	load_wedge();
	patch_guest();
	write_boot_block();
	if (vm_pvh_build())
		vm_die("no start info");

	uint32_t r[4];
	uint32_t st = hv_sys(HV_SYS_VM_CREATE, root_tid, HVU_PRIO_TASK, vm.mem, 0, 0, r);
	if (st != HV_OK)
		vm_die("HV_SYS_VM_CREATE (%u) failed: %s (%u)%s", HV_SYS_VM_CREATE, hv_status_name(st), st,
		       st == HV_E_NOSYS ? ": this kernel has no VM support" : "");
	vm.tid = r[0];
	vm.running = 1;
	st = hv_thread_start(vm.tid, (uint32_t)vm.wimg.entry, 0);
	if (st != HV_OK)
		vm_die("HV_SYS_THREAD_START failed: %s (%u)", hv_status_name(st), st);
	uprintf("root: vm %s: started, thread %x, wedge entry %x, console %x\n", vm.name, vm.tid,
		(uint32_t)vm.wimg.entry, console_tid);
}

/* Is the VM still there?  The kernel ends a VM itself (its shutdown, its
 * death); normally that ends QEMU too, but with vm_exit=continue on the
 * kernel's command line the machine stays up and nothing tells root: ask
 * the kernel whether the vCPU thread still exists (setting the priority it
 * has is harmless). */
int vm_running(void)
{
	if (vm.running && hv_set_priority(vm.tid, HVU_PRIO_TASK) == HV_E_NOTHREAD) {
		vm.running = 0;
		uprintf("root: vm %s: ended\n", vm.name);
	}
	return vm.running;
}
