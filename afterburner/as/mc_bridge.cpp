// The LLVM MC layer of afterburn-as.  LLVM parses the assembly (macros,
// .rept/.irp, .intel_syntax, sections) and hands every instruction, after
// expansion, to our ELF streamer as an MCInst.  The streamer asks the C
// annotator (annotate.h) about the instruction's bytes and, for a site,
// emits a label, the instruction and the no-op padding; at the end it writes
// one .afterburn record per site.  C++ is confined to this file.
#include "mc_bridge.h"

extern "C" {
#include "annotate.h"
#include "kinds.h"
#include "nops.h"
#include "site.h"
}

#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/MC/MCAsmBackend.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCAssembler.h"
#include "llvm/MC/MCCodeEmitter.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDwarf.h"
#include "llvm/MC/MCELFStreamer.h"
#include "llvm/MC/MCExpr.h"
#include "llvm/MC/MCFixup.h"
#include "llvm/MC/MCFragment.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCObjectFileInfo.h"
#include "llvm/MC/MCObjectWriter.h"
#include "llvm/MC/MCParser/MCAsmParser.h"
#include "llvm/MC/MCParser/MCTargetAsmParser.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSectionELF.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCSymbolELF.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

// Bytes that are a whole instruction prefix when LLVM emits them alone
// ("rep; outsb", "data16; outl ...").
bool isPrefixByte(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

struct Site {
	MCSymbol *label;
	const MCSectionELF *section;
	ab_site_record rec;
};

class AfterburnStreamer : public MCELFStreamer {
public:
	AfterburnStreamer(MCContext &ctx, std::unique_ptr<MCAsmBackend> mab,
			  std::unique_ptr<MCObjectWriter> ow,
			  std::unique_ptr<MCCodeEmitter> ce, ab_annotator *ann, int bits)
		: MCELFStreamer(ctx, std::move(mab), std::move(ow), std::move(ce)),
		  ann(ann), mode(bits == 64 ? AB_MODE_64 : AB_MODE_32) {}

	void setParser(MCAsmParser *p) { parser = p; }

	void emitInstruction(const MCInst &inst, const MCSubtargetInfo &sti) override
	{
		flushData();
		const auto *sec = dyn_cast_or_null<MCSectionELF>(getCurrentSectionOnly());
		if (!sec || !(sec->getFlags() & ELF::SHF_EXECINSTR) || code16 || !ann) {
			prefixLabel = nullptr;
			MCELFStreamer::emitInstruction(inst, sti);
			return;
		}

		SmallString<16> bytes;
		{
			SmallVector<MCFixup, 4> fixups;
			raw_svector_ostream os(bytes);
			getAssembler().getEmitter().encodeInstruction(inst, os, fixups, sti);
		}

		bool prefixOnly = !bytes.empty() && bytes.size() <= 4;
		for (char c : bytes)
			prefixOnly = prefixOnly && isPrefixByte((uint8_t)c);
		bool contiguous = prefixLabel && prefixStillHere();

		if (prefixOnly) {
			// Hold the prefix: if a sensitive instruction follows, the
			// site starts here, at the prefix.
			if (!contiguous) {
				prefixLabel = getContext().createTempSymbol("ab_pfx", true);
				emitLabel(prefixLabel);
				prefixBytes.clear();
			}
			prefixBytes.append(bytes.begin(), bytes.end());
			MCELFStreamer::emitInstruction(inst, sti);
			notePrefixEnd();
			return;
		}

		SmallString<32> whole;
		if (contiguous)
			whole = prefixBytes;
		whole.append(bytes.begin(), bytes.end());

		ab_site_ctx ctx = siteContext(inst.getLoc());
		ab_site_plan plan;
		if (!ab_annotate_insn(ann, (const uint8_t *)whole.data(), whole.size(),
				      mode, &ctx, &plan)) {
			prefixLabel = nullptr;
			MCELFStreamer::emitInstruction(inst, sti);
			return;
		}

		// A prefix already emitted cannot go after padding: a padded-before
		// kind behind a separate prefix statement ("data16; sti") stays
		// unannotated, and verify reports it.
		if (ab_kinds[plan.insn.kind].pad_before && contiguous) {
			prefixLabel = nullptr;
			MCELFStreamer::emitInstruction(inst, sti);
			return;
		}
		MCSymbol *label = contiguous ? prefixLabel : nullptr;
		prefixLabel = nullptr;
		if (!label) {
			label = getContext().createTempSymbol("ab_site", true);
			emitLabel(label);
		}
		// The padding follows the instruction, except for kinds whose
		// one-instruction shadow must cover the next instruction (sti):
		// their padding goes first (kinds.def, pad).
		unsigned pad = plan.site_len - plan.insn.len;
		uint8_t nops[256];
		ab_nop_fill(nops, pad);
		bool before = ab_kinds[plan.insn.kind].pad_before;
		if (pad && before)
			MCELFStreamer::emitBytes(StringRef((const char *)nops, pad));
		MCELFStreamer::emitInstruction(inst, sti);
		if (pad && !before)
			MCELFStreamer::emitBytes(StringRef((const char *)nops, pad));
		Site s;
		s.label = label;
		s.section = sec;
		std::memset(&s.rec, 0, sizeof s.rec);
		ab_site_fill(&s.rec, &plan.insn, plan.site_len);
		sites.push_back(s);
	}

	void emitBytes(StringRef data) override
	{
		noteData(data);
		MCELFStreamer::emitBytes(data);
	}

	void emitLabel(MCSymbol *sym, SMLoc loc = SMLoc()) override
	{
		flushData();
		MCELFStreamer::emitLabel(sym, loc);
		const auto *sec = dyn_cast_or_null<MCSectionELF>(getCurrentSectionOnly());
		if (!sym->isTemporary() && sec && (sec->getFlags() & ELF::SHF_EXECINSTR)) {
			function = sym->getName().str();
			functionSection = sec;
			functionSubsection = subsection;
			if (ann)
				ab_annotate_function(ann);
		}
	}

	void changeSection(MCSection *section, const MCExpr *sub) override
	{
		flushData();
		prefixLabel = nullptr;
		MCELFStreamer::changeSection(section, sub);
		// The base class has evaluated it (or failed): a subsection is
		// laid out after the whole of the one before it, so its code is
		// not in its function's run of addresses (nth=, annotate.h).
		int64_t v = 0;
		subsection = sub && sub->evaluateAsAbsolute(v, getAssemblerPtr()) ? v : 0;
	}

	void emitAssemblerFlag(MCAssemblerFlag flag) override
	{
		switch (flag) {
		case MCAF_Code16: code16 = true; break;
		case MCAF_Code32: code16 = false; mode = AB_MODE_32; break;
		case MCAF_Code64: code16 = false; mode = AB_MODE_64; break;
		default: break;
		}
		MCELFStreamer::emitAssemblerFlag(flag);
	}

	void finishImpl() override
	{
		flushData();
		emitRecords();
		MCELFStreamer::finishImpl();
	}

private:
	ab_annotator *ann;
	MCAsmParser *parser = nullptr;
	ab_mode mode;
	bool code16 = false;
	std::string function;
	// Where the function label is: only instructions there count for nth=.
	const MCSectionELF *functionSection = nullptr;
	int64_t functionSubsection = 0, subsection = 0;
	std::vector<Site> sites;

	// A prefix instruction waiting for the instruction it belongs to.
	MCSymbol *prefixLabel = nullptr;
	SmallString<8> prefixBytes;
	const MCFragment *prefixFrag = nullptr;
	size_t prefixEnd = 0;

	// A run of data bytes in an executable section, with the assembly
	// line of each byte.
	SmallString<64> dataRun;
	std::vector<unsigned> dataLines;
	ab_site_ctx dataCtx{};
	std::string dataFile, dataSection, dataFunction;

	void notePrefixEnd()
	{
		prefixFrag = getCurrentFragment();
		const auto *df = dyn_cast_or_null<MCDataFragment>(prefixFrag);
		prefixEnd = df ? df->getContents().size() : (size_t)-1;
	}

	// Nothing was emitted since the held prefix.
	bool prefixStillHere() const
	{
		const auto *df = dyn_cast_or_null<MCDataFragment>(getCurrentFragment());
		return df && df == prefixFrag && df->getContents().size() == prefixEnd;
	}

	// Storage behind the C strings of the last context.
	std::string ctxFile, ctxSrc, ctxSection;

	ab_site_ctx siteContext(SMLoc loc)
	{
		ab_site_ctx c{};
		const auto *sec = dyn_cast_or_null<MCSectionELF>(getCurrentSectionOnly());
		ctxSection = sec ? sec->getName().str() : std::string();
		c.section = ctxSection.c_str();
		c.function = function.empty() ? nullptr : function.c_str();
		c.in_function_section = sec && sec == functionSection && subsection == functionSubsection;

		// Only look when there is a line table: asking for one creates
		// it, and an object without -g would get an empty .debug_line.
		const MCDwarfLoc &dl = getContext().getCurrentDwarfLoc();
		const auto &tables = getContext().getMCDwarfLineTables();
		auto t = tables.find(0);
		if (dl.getLine() && t != tables.end()) {
			const MCDwarfLineTable &lt = t->second;
			const auto &files = lt.getMCDwarfFiles();
			// File 0 is the DWARF 5 root file (clang's ".loc 0").
			const MCDwarfFile *f = dl.getFileNum() == 0 ? &lt.getRootFile()
				: dl.getFileNum() < files.size() ? &files[dl.getFileNum()] : nullptr;
			if (f && !f->Name.empty()) {
				ctxSrc = f->Name;
				const auto &dirs = lt.getMCDwarfDirs();
				if (f->Name[0] != '/') {
					if (dl.getFileNum() == 0 && !getContext().getCompilationDir().empty())
						ctxSrc = getContext().getCompilationDir().str() + "/" + f->Name;
					else if (f->DirIndex && f->DirIndex <= dirs.size())
						ctxSrc = dirs[f->DirIndex - 1] + "/" + f->Name;
				}
				c.src_file = ctxSrc.c_str();
				c.src_line = dl.getLine();
			}
		}

		if (!loc.isValid() && parser)
			loc = parser->getTok().getLoc();
		unsigned line;
		if (asmPosition(loc, ctxFile, line)) {
			c.asm_file = ctxFile.c_str();
			c.asm_line = line;
		}
		return c;
	}

	// The file:line of a location.  Inside a .macro or .rept expansion it
	// is "<instantiation>:N": LLVM 14 keeps the invocation site private.
	bool asmPosition(SMLoc loc, std::string &file, unsigned &line) const
	{
		const SourceMgr *sm = getContext().getSourceManager();
		if (!sm || !loc.isValid())
			return false;
		unsigned buf = sm->FindBufferContainingLoc(loc);
		if (!buf)
			return false;
		file = sm->getMemoryBuffer(buf)->getBufferIdentifier().str();
		line = sm->FindLineNumber(loc, buf);
		return true;
	}

public:
	// Where the parser is now, for fatal errors and signals.
	bool currentPosition(std::string &file, unsigned &line) const
	{
		return parser && asmPosition(parser->getTok().getLoc(), file, line);
	}

private:

	void noteData(StringRef data)
	{
		const auto *sec = dyn_cast_or_null<MCSectionELF>(getCurrentSectionOnly());
		if (!ann || code16 || !sec || !(sec->getFlags() & ELF::SHF_EXECINSTR))
			return;
		if (dataRun.empty()) {
			ab_site_ctx c = siteContext(SMLoc());
			dataFile = c.asm_file ? c.asm_file : "";
			dataSection = c.section ? c.section : "";
			dataFunction = c.function ? c.function : "";
			dataCtx = c;
			dataCtx.asm_file = dataFile.empty() ? nullptr : dataFile.c_str();
			dataCtx.section = dataSection.c_str();
			dataCtx.function = dataFunction.empty() ? nullptr : dataFunction.c_str();
			dataCtx.src_file = nullptr;
		}
		// 32 bytes are plenty to see the sensitive instructions at the
		// start of a run; longer runs are tables, not code.
		size_t room = 32 - std::min<size_t>(32, dataRun.size());
		size_t k = std::min(room, data.size());
		if (!k)
			return;
		std::string f;
		unsigned line = 0;
		if (!parser || !asmPosition(parser->getTok().getLoc(), f, line))
			line = 0;
		dataRun.append(data.begin(), data.begin() + k);
		dataLines.insert(dataLines.end(), k, line);
	}

	void flushData()
	{
		if (dataRun.empty())
			return;
		ab_annotate_data(ann, (const uint8_t *)dataRun.data(), dataRun.size(), mode, &dataCtx,
				 dataLines.data());
		dataRun.clear();
		dataLines.clear();
	}

	// One .afterburn section per section group, so that a discarded COMDAT
	// takes its records with it.
	void emitRecords()
	{
		if (sites.empty())
			return;
		MCContext &ctx = getContext();
		for (size_t i = 0; i < sites.size(); i++) {
			const MCSymbolELF *group = sites[i].section->getGroup();
			bool comdat = sites[i].section->isComdat();
			MCSectionELF *recs = ctx.getELFSection(
				AB_SITE_SECTION, ELF::SHT_PROGBITS,
				ELF::SHF_ALLOC | (group ? (unsigned)ELF::SHF_GROUP : 0u), 0,
				group ? group->getName() : "", comdat);
			SwitchSection(recs);
			emitValueToAlignment(4, 0, 1, 0);
			MCSymbol *here = ctx.createTempSymbol("ab_rec", true);
			MCELFStreamer::emitLabel(here);
			const MCExpr *rel = MCBinaryExpr::createSub(
				MCSymbolRefExpr::create(sites[i].label, ctx),
				MCSymbolRefExpr::create(here, ctx), ctx);
			emitValue(rel, 4);
			const char *rest = (const char *)&sites[i].rec + 4;
			MCELFStreamer::emitBytes(StringRef(rest, AB_SITE_SIZE - 4));
		}
	}
};

} // namespace

extern "C" const char *ab_mc_llvm_version(void)
{
	return LLVM_VERSION_STRING;
}

// LLVM reports some input errors (e.g. a fixup that cannot be encoded) as
// fatal errors; make them an ordinary diagnostic and exit status 1 instead
// of an abort with a stack dump.
static AfterburnStreamer *current_streamer;

extern "C" void ab_mc_report_position(const char *what)
{
	std::string file;
	unsigned line = 0;
	if (current_streamer && current_streamer->currentPosition(file, line))
		fprintf(stderr, "%s:%u: error: %s\n", file.c_str(), line, what);
	else
		fprintf(stderr, "afterburn-as: error: %s\n", what);
	fflush(stderr);
}

static void fatal_handler(void *, const char *reason, bool)
{
	ab_mc_report_position(reason);
	_exit(1);
}

extern "C" int ab_mc_assemble(const struct ab_mc_config *cfg, const char *text,
			      size_t len, const char *name)
{
	static bool initialized;
	if (!initialized) {
		LLVMInitializeX86TargetInfo();
		LLVMInitializeX86TargetMC();
		LLVMInitializeX86AsmParser();
		install_fatal_error_handler(fatal_handler, nullptr);
		initialized = true;
	}

	std::string tripleName = cfg->bits == 64 ? "x86_64-pc-linux-gnu" : "i386-pc-linux-gnu";
	Triple triple(tripleName);
	std::string err;
	const Target *target = TargetRegistry::lookupTarget(tripleName, err);
	if (!target) {
		fprintf(stderr, "afterburn-as: %s\n", err.c_str());
		return 1;
	}

	MCTargetOptions opts;
	opts.MCFatalWarnings = cfg->fatal_warnings;
	opts.MCNoWarn = cfg->no_warnings;

	SourceMgr srcMgr;
	srcMgr.AddNewSourceBuffer(MemoryBuffer::getMemBufferCopy(StringRef(text, len), name), SMLoc());
	std::vector<std::string> incs;
	for (size_t i = 0; i < cfg->n_include_dirs; i++)
		incs.push_back(cfg->include_dirs[i]);
	srcMgr.setIncludeDirs(incs);

	std::unique_ptr<MCRegisterInfo> mri(target->createMCRegInfo(tripleName));
	std::unique_ptr<MCAsmInfo> mai(target->createMCAsmInfo(*mri, tripleName, opts));
	std::unique_ptr<MCSubtargetInfo> sti(
		target->createMCSubtargetInfo(tripleName, cfg->cpu ? cfg->cpu : "", ""));
	std::unique_ptr<MCInstrInfo> mcii(target->createMCInstrInfo());
	if (!mri || !mai || !sti || !mcii) {
		fprintf(stderr, "afterburn-as: cannot set up the X86 target\n");
		return 1;
	}

	MCContext ctx(triple, mai.get(), mri.get(), sti.get(), &srcMgr, &opts);
	std::unique_ptr<MCObjectFileInfo> mofi(target->createMCObjectFileInfo(ctx, /*PIC=*/false));
	ctx.setObjectFileInfo(mofi.get());
	if (cfg->gen_dwarf) {
		ctx.setGenDwarfForAssembly(true);
		ctx.setGenDwarfRootFile(name, StringRef(text, len));
	}
	if (cfg->dwarf_version)
		ctx.setDwarfVersion((uint16_t)cfg->dwarf_version);
	SmallString<256> cwd;
	if (!sys::fs::current_path(cwd))
		ctx.setCompilationDir(cwd);
	if (cfg->debug_prefix_map) {
		StringRef m(cfg->debug_prefix_map);
		auto kv = m.split('=');
		ctx.addDebugPrefixMapEntry(kv.first.str(), kv.second.str());
	}

	SmallString<0> objBuf;
	raw_svector_ostream objOS(objBuf);

	MCCodeEmitter *ce = target->createMCCodeEmitter(*mcii, *mri, ctx);
	MCAsmBackend *mab = target->createMCAsmBackend(*sti, *mri, opts);
	if (!ce || !mab) {
		fprintf(stderr, "afterburn-as: cannot create the X86 encoder\n");
		return 1;
	}
	auto *str = new AfterburnStreamer(ctx, std::unique_ptr<MCAsmBackend>(mab),
					  mab->createObjectWriter(objOS),
					  std::unique_ptr<MCCodeEmitter>(ce), cfg->ann, cfg->bits);
	std::unique_ptr<MCStreamer> strOwner(str);
	target->createNullTargetStreamer(*str);
	if (cfg->noexecstack)
		str->initSections(true, *sti);

	for (size_t i = 0; i < cfg->n_defsyms; i++) {
		StringRef d(cfg->defsyms[i]);
		auto kv = d.split('=');
		int64_t v;
		if (kv.second.empty() || kv.second.getAsInteger(0, v)) {
			fprintf(stderr, "afterburn-as: --defsym %s: expected name=value\n", cfg->defsyms[i]);
			return 1;
		}
		ctx.setSymbolValue(*str, kv.first, (uint64_t)v);
	}

	std::unique_ptr<MCAsmParser> parser(createMCAsmParser(srcMgr, ctx, *str, *mai));
	std::unique_ptr<MCTargetAsmParser> tap(target->createMCAsmParser(*sti, *parser, *mcii, opts));
	if (!tap) {
		fprintf(stderr, "afterburn-as: no X86 assembly parser\n");
		return 1;
	}
	parser->setTargetParser(*tap);
	str->setParser(parser.get());

	current_streamer = str;
	bool failed = parser->Run(/*NoInitialTextSection=*/false);
	current_streamer = nullptr;
	if (failed || ctx.hadError())
		return 1;
	if (!cfg->output)
		return 0; /* the fuzz harness: assemble, keep nothing */

	std::error_code ec;
	raw_fd_ostream out(cfg->output, ec, sys::fs::OF_None);
	if (ec) {
		fprintf(stderr, "afterburn-as: %s: %s\n", cfg->output, ec.message().c_str());
		return 1;
	}
	out.write(objBuf.data(), objBuf.size());
	out.close();
	if (out.has_error()) {
		fprintf(stderr, "afterburn-as: %s: %s\n", cfg->output, out.error().message().c_str());
		out.clear_error();
		sys::fs::remove(cfg->output);
		return 1;
	}
	return 0;
}
