/*
 * The nth= of a rule (docs/abi/rules.md): the instruction at an address
 * is the N-th of its kind in its function, counting from 1 in assembly
 * order.  afterburn-as counts while it assembles: from the function's
 * label (prof_sym.function, symtab.c), the instructions of the label's
 * section, every one of the kind whether it becomes a site or not.  Here
 * the same count is made on the linked ELF, by a linear sweep of the
 * label's section from the label to the address: the linker keeps an
 * input section's bytes in order, so the sweep sees the instructions in
 * the order the assembler emitted them.
 *
 * The kind of each instruction is what afterburn-as would give it:
 * ab_decode for sensitive instructions, ab_memop_decode for the plain
 * memory movs of the context kinds (dev-write, dev-read).  Capstone only
 * measures the other instructions.  A site of the profiled build is its
 * instruction and no-op padding (before it for `sti`), which the sweep
 * sees as the instruction and separate nops: counted once, as it should.
 *
 * Where the sweep cannot be trusted there is no nth (*nth = 0): bytes
 * capstone cannot decode, a sweep that steps over the address (data in
 * the code), an instruction at the address that is not of the kind (a
 * dump of another build), an ELF that is not i386.
 */
#include <capstone/capstone.h>
#include <stdlib.h>

#include "decode.h"
#include "kinds.h"
#include "memop.h"
#include "sym_impl.h"

#define X86_MAX_INSN 15

struct prof_disasm {
	int usable;                /* an i386 ELF and capstone opened */
	csh cs;
	cs_insn *insn;
};

void prof_disasm_close(struct prof_disasm *dis)
{
	if (!dis)
		return;
	if (dis->insn)
		cs_free(dis->insn, 1);
	if (dis->usable)
		cs_close(&dis->cs);
	free(dis);
}

/* st->disasm, opened on first use; -1 when out of memory. */
static int disasm_open(struct prof_symtab *st)
{
	if (st->disasm)
		return 0;
	if (!(st->disasm = calloc(1, sizeof *st->disasm)))
		return -1;
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(st->mod, &bias);
	GElf_Ehdr eh;
	/* The rules' nth is for 32-bit x86 code, the only mode afterburn-as
	 * counts context kinds in (abi/memop.h). */
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386)
		return 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_32, &st->disasm->cs) != CS_ERR_OK)
		return 0;
	if (!(st->disasm->insn = cs_malloc(st->disasm->cs))) {
		cs_close(&st->disasm->cs);
		return -1;
	}
	st->disasm->usable = 1;
	return 0;
}

/* The length of the instruction at p[0..n) (0: undecodable), and whether
 * it is of kind (*match): as afterburn-as classifies it, and with
 * ab_decode's length for a sensitive one whatever capstone says. */
static unsigned step(struct prof_disasm *dis, const uint8_t *p, size_t n, uint64_t addr,
		     unsigned kind, int *match)
{
	struct ab_insn in;
	struct ab_memop m;
	*match = 0;
	if (n > X86_MAX_INSN)
		n = X86_MAX_INSN;
	unsigned len = ab_decode(p, n, AB_MODE_32, &in);
	if (len) {
		*match = in.kind == kind;
		return len;
	}
	/* A memory mov is an instance of a context kind; afterburn-as looks
	 * for one only where ab_decode found nothing, as here. */
	if (ab_kinds[kind].cls == AB_CLASS_CONTEXT && (len = ab_memop_decode(p, n, AB_MODE_32, &m))) {
		*match = ab_memop_matches(kind, &m);
		return len;
	}
	const uint8_t *code = p;
	size_t size = n;
	return cs_disasm_iter(dis->cs, &code, &size, &addr, dis->insn) ? dis->insn->size : 0;
}

int prof_nth(struct prof_symtab *st, uint64_t link_addr, unsigned kind, unsigned *nth)
{
	*nth = 0;
	if (!ab_kind_info(kind))
		return 0;
	if (disasm_open(st))
		return -1;
	uint64_t addr = link_addr + st->bias;
	const struct prof_exec_sec *sec = prof_exec_of(st, addr);
	const struct prof_label *label = prof_label_at(st, addr);
	if (!st->disasm->usable || !sec || !label)
		return 0;
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(st->mod, &bias);
	Elf_Scn *scn = elf ? elf_getscn(elf, sec->shndx) : NULL;
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data || !data->d_buf || data->d_size < sec->hi - sec->lo)
		return 0;
	const uint8_t *bytes = data->d_buf;
	unsigned count = 0, len;
	int match;
	uint64_t pc = label->addr;
	while (pc < addr) {
		len = step(st->disasm, bytes + (pc - sec->lo), sec->hi - pc, pc - st->bias, kind, &match);
		if (!len)
			return 0;
		count += match;
		pc += len;
	}
	if (pc != addr)
		return 0;
	len = step(st->disasm, bytes + (pc - sec->lo), sec->hi - pc, pc - st->bias, kind, &match);
	if (len && match)
		*nth = count + 1;
	return 0;
}
