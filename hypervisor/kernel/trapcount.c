/*
 * The trap counters of the running guests: one count per (guest eip,
 * kind), in an open-addressed table, dumped over the debug console when a
 * guest shuts down (docs/abi/trap-dump.md).  Only counted, never timed.
 */
#include "kernel.h"
#include "printk.h"
#include "vm.h"
#include "kinds.h"

#define SLOTS 32768u  /* a power of two: a Linux boot and workload fill about 10,000 */

struct trap_slot {
	uint32_t eip, kind, count;
};

static struct trap_slot table[SLOTS];
static uint32_t used, overflow;

void trapcount_add(uint32_t eip, uint32_t kind)
{
	uint32_t key = kind + 1;     /* 0 marks a free slot */
	uint32_t h = (eip * 2654435761u) ^ (kind * 40503u);
	for (uint32_t i = 0; i < SLOTS; i++) {
		struct trap_slot *s = &table[(h + i) & (SLOTS - 1)];
		if (s->kind == key && s->eip == eip) {
			s->count++;
			return;
		}
		if (!s->kind) {
			if (used >= SLOTS - SLOTS / 8)
				break;      /* keep probes short: count it as lost */
			s->eip = eip;
			s->kind = key;
			s->count = 1;
			used++;
			return;
		}
	}
	overflow++;
}

static const char *const hypercalls[] = { "resume", "flush", "timer", "halt", "shutdown", "walk",
						     "reset" };

static void print_kind(uint32_t k)
{
	uint32_t n = k & 0xFFu;
	switch (AB_TRAPK_CLASS(k)) {
	case 0:
		if (ab_kind_info(k))
			kprintf("%s", ab_kind_info(k)->name);
		else
			kprintf("kind-%u", k);
		return;
	case AB_TRAPK_EXCEPTION: kprintf("exception:%u", n); return;
	case AB_TRAPK_SOFTINT:   kprintf("int:0x%x", n); return;
	case AB_TRAPK_IRQ:       kprintf("irq:%u", n); return;
	case AB_TRAPK_HIDDEN_PF: kprintf("hidden-pf"); return;
	case AB_TRAPK_HYPERCALL:
		kprintf("hypercall:%s", n < sizeof hypercalls / sizeof hypercalls[0] ? hypercalls[n] : "?");
		return;
	default: kprintf("unknown:%u", n); return;
	}
}

void trapcount_dump(void)
{
	kprintf("AFTERBURN-TRAPDUMP-BEGIN v1\n");
	kprintf("# entries %u lost %u\n", used, overflow);
	for (uint32_t i = 0; i < SLOTS; i++) {
		if (!table[i].kind)
			continue;
		kprintf("0x%08x ", table[i].eip);
		print_kind(table[i].kind - 1);
		kprintf(" %u\n", table[i].count);
	}
	kprintf("AFTERBURN-TRAPDUMP-END\n");
	/* The next guest (vm_exit=continue) starts from zero. */
	memset(table, 0, sizeof table);
	used = overflow = 0;
}
