// libFuzzer harness for afterburn-as: the GNU-as compatibility rewrite
// (gas_compat.c), then LLVM MC with the annotating streamer (mc_bridge.cpp)
// and a full-policy annotator with rules (annotate.c, rules.c), assembling
// into memory only (ab_mc_config.output = NULL).
//
// Each input is assembled as 32-bit code, and again as 64-bit code; one bit
// of a hash of the input turns on -g (DWARF for assembly) for the second run.
//
// LLVM gives up on some inputs with report_fatal_error (an LLVM bug or
// limit, never ours: afterburn-as turns it into "error" and exit status 1).
// A fuzz target cannot go on after that, so the handler saves the input to
// $AB_FUZZ_FATAL_DIR (when set) and exits with status 66; tests/test_fuzz.py
// checks each such input against llvm-mc and restarts the fuzzer.
// (66, because libFuzzer itself exits with 77 on a finding, 70 on a timeout.)
//
// Inputs that ask for huge output (".rept 100000000", ".skip 1<<30", ...) or
// huge expansion (a macro that calls itself twice) are rejected up front
// (return -1): they are expensive, not interesting.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

extern "C" {
#include "annotate.h"
#include "gas_compat.h"
#include "kinds.h"
#include "mc_bridge.h"
#include "rules.h"
}

#include "llvm/Support/ErrorHandling.h"

namespace {

FILE *devnull;
ab_rules *rules;
const uint8_t *cur_data;
size_t cur_size;
const char *cur_text;   // what LLVM sees: the input after the gas-compat rewrite
size_t cur_len;

const char kRules[] =
	"afterburn-rules 1\n"
	"policy full\n"
	"annotate kind=rdtsc function=f*\n"
	"exclude kind=cpuid section=.init.text*\n"
	"exclude file=skip.c:12\n"
	"annotate file=hot.c\n";

void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	const char *c = (const char *)p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k <= 0)
			break;
		c += k;
		n -= (size_t)k;
	}
	close(fd);
}

// LLVM's report_fatal_error: save the input and leave with status 66.
void on_fatal(void *, const char *reason, bool)
{
	const char *dir = getenv("AB_FUZZ_FATAL_DIR");
	if (dir && cur_data) {
		uint64_t h = 1469598103934665603ull;
		for (size_t i = 0; i < cur_size; i++)
			h = (h ^ cur_data[i]) * 1099511628211ull;
		char path[4096];
		snprintf(path, sizeof path, "%s/fatal-%016llx.s", dir, (unsigned long long)h);
		write_file(path, cur_data, cur_size);
		snprintf(path, sizeof path, "%s/fatal-%016llx.txt", dir, (unsigned long long)h);
		write_file(path, reason, strlen(reason));
		if (cur_text && (cur_len != cur_size || memcmp(cur_text, cur_data, cur_len))) {
			snprintf(path, sizeof path, "%s/fatal-%016llx.rewritten", dir, (unsigned long long)h);
			write_file(path, cur_text, cur_len);
		}
	}
	_exit(66);
}

// Numbers after directives that size the output, and repetition nesting,
// are bounded so that no input takes seconds by asking for gigabytes.
const char *const kSizing[] = {
	".rept", ".fill", ".skip", ".space", ".zero", ".org", ".align", ".balign", ".p2align",
	".incbin", ".ds", ".dcb", ".irpc", ".irp", ".nops", ".bundle_align_mode", nullptr,
};

// A macro whose body names the macro twice expands 2^20 times before LLVM's
// nesting limit stops it (known-llvm/recursive-macro-blowup.s).
bool self_recursive_macro(const std::string &text)
{
	size_t at = 0;
	while ((at = text.find(".macro", at)) != std::string::npos) {
		at += 6;
		size_t b = text.find_first_not_of(" \t", at);
		if (b == std::string::npos)
			break;
		size_t e = text.find_first_of(" \t,\n;", b);
		std::string name = text.substr(b, e == std::string::npos ? std::string::npos : e - b);
		if (name.empty())
			continue;
		size_t body = e == std::string::npos ? text.size() : e;
		size_t end = text.find(".endm", body);
		std::string in = text.substr(body, end == std::string::npos ? std::string::npos : end - body);
		int uses = 0;
		for (size_t p = in.find(name); p != std::string::npos; p = in.find(name, p + 1))
			uses++;
		if (uses >= 2)
			return true;
	}
	return false;
}

bool too_expensive(const char *s, size_t n)
{
	if (self_recursive_macro(std::string(s, n)))
		return true;
	int repeats = 0, macros = 0;
	size_t i = 0;
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		std::string line(s + i, e - i);
		for (char &c : line)
			c = (char)tolower((unsigned char)c);
		if (line.find(".rept") != std::string::npos || line.find(".irp") != std::string::npos)
			repeats++;
		if (line.find(".macro") != std::string::npos)
			macros++;
		bool sizing = false;
		for (int k = 0; kSizing[k]; k++)
			if (line.find(kSizing[k]) != std::string::npos)
				sizing = true;
		if (sizing) {
			if (line.find("<<") != std::string::npos)
				return true;
			for (size_t p = 0; p < line.size(); p++) {
				if (!isdigit((unsigned char)line[p]) || (p && (isalnum((unsigned char)line[p - 1]) || line[p - 1] == '_')))
					continue;
				unsigned long long v = strtoull(line.c_str() + p, nullptr, 0);
				if (v > 4096)
					return true;
				while (p < line.size() && isalnum((unsigned char)line[p]))
					p++;
			}
		}
		i = e + 1;
	}
	return repeats > 2 || (macros && repeats > 1);
}

int assemble(const char *text, size_t len, int bits, int gen_dwarf)
{
	ab_annotator ann;
	memset(&ann, 0, sizeof ann);
	ann.policy = AB_POLICY_FULL;
	ann.rules = rules;
	ann.diag = devnull;

	ab_mc_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.bits = bits;
	cfg.output = nullptr;
	cfg.gen_dwarf = gen_dwarf;
	cfg.ann = &ann;
	int rc = ab_mc_assemble(&cfg, text, len, "fuzz.s");

	unsigned long sites = 0;
	for (unsigned k = 0; k < 64; k++)
		sites += ann.sites[k];
	if (ann.sites[0] || sites > ann.instructions)
		__builtin_trap();  // a site of kind NONE, or more sites than instructions
	return rc;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	devnull = fopen("/dev/null", "w");
	char err[256];
	rules = ab_rules_parse(kRules, sizeof kRules - 1, "fuzz.rules", err, sizeof err);
	if (!devnull || !rules) {
		fprintf(stderr, "fuzz_as: setup failed: %s\n", rules ? "/dev/null" : err);
		abort();
	}
	// The first call initializes LLVM and installs afterburn-as's own fatal
	// error handler (print, exit 1); the harness replaces it.
	static const char init[] = "\t.text\n\tnop\n";
	assemble(init, sizeof init - 1, 32, 0);
	llvm::remove_fatal_error_handler();
	llvm::install_fatal_error_handler(on_fatal, nullptr);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384 || too_expensive((const char *)data, size))
		return -1;
	cur_data = data;
	cur_size = size;

	char *rewritten = nullptr;
	size_t rlen = 0;
	int dwarf5 = 0;
	if (ab_gas_compat_rewrite((const char *)data, size, &rewritten, &rlen, &dwarf5))
		return 0;  // out of memory
	// The rewrite keeps the line count (diagnostics keep their lines).
	if (rewritten) {
		size_t a = 0, b = 0;
		for (size_t i = 0; i < size; i++)
			a += data[i] == '\n';
		for (size_t i = 0; i < rlen; i++)
			b += rewritten[i] == '\n';
		if (a != b)
			__builtin_trap();
	}
	const char *text = rewritten ? rewritten : (const char *)data;
	size_t len = rewritten ? rlen : size;

	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	cur_text = text;
	cur_len = len;
	assemble(text, len, 32, 0);
	assemble(text, len, 64, (int)(h & 1));

	free(rewritten);
	cur_data = nullptr;
	cur_text = nullptr;
	return 0;
}
