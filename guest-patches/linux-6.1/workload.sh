#!/bin/sh
# The guest workload (busybox sh), run by /init of the initramfs built by mkinitramfs.
# Every result line starts with "WL:" and is deterministic: no time, no PID, no address, so the
# WL lines of two runs (plain vs annotated kernel, bare vs hypervisor) compare exactly.
# It runs as a child of /init (PID 1 ignores default-action signals, so it must not be PID 1).

wl() { echo "WL: $*"; }
cd /tmp || exit 1

# 1. ls of fixed directories (the initramfs layout, sysfs and devtmpfs from the kernel config)
wl "ls /: $(ls / | tr '\n' ' ')"
wl "ls /bin: $(ls /bin | tr '\n' ' ')"
wl "ls /sys: $(ls /sys | tr '\n' ' ')"
# (without the 512 legacy BSD ptys and the 64 virtual consoles: only their count)
wl "ls /dev: $(ls /dev | wc -l) entries: $(ls /dev | grep -v -e '^pty[p-za-e]' -e '^tty[p-za-e]' -e '^tty[0-9]' | tr '\n' ' ')"

# 2. /proc/cpuinfo, with the lines that depend on the host masked (flags: what the CPU model
#    and the hypervisor offer; MHz and bogomips: timing)
sed -e 's/^\(flags\|cpu MHz\|bogomips\)\([[:space:]]*\):.*/\1\2: <masked>/' \
    -e 's/\t/ /g' -e 's/^/WL: cpuinfo: /' /proc/cpuinfo

# 3. fork/exec: 200 children that exec /bin/true (a path, so ash forks and execs), counted;
#    the fork count comes from the kernel's own counter in /proc/stat
forks() { awk '/^processes/ { print $2 }' /proc/stat; }
before=$(forks)
i=0 ok=0
while [ $i -lt 200 ]; do
	/bin/true && ok=$((ok + 1))
	i=$((i + 1))
done
after=$(forks)
wl "fork/exec: $ok/200 /bin/true exited 0; forks counted by the kernel: $((after - before))"

# 4. pipes: data through a five-stage pipeline, with a checksum
sum=$(seq 1 20000 | tr 0-9 a-j | sed 's/b/B/g' | awk '{ n += length($0); print }' | sha256sum)
wl "pipes: $(seq 1 20000 | tr 0-9 a-j | wc -c) bytes, sha256 ${sum%% *}"

# 5. a deterministic file, gzip, gunzip, sha256sum
awk 'BEGIN { x = 1; for (i = 0; i < 30000; i++) { x = (x * 75 + 74) % 65537; printf "%05d %05d afterburner\n", i, x } }' >data
orig=$(sha256sum <data)
gzip -9 -c <data >data.gz
rm -f data.unz
gunzip -c <data.gz >data.unz
back=$(sha256sum <data.unz)
if [ "$orig" = "$back" ]; then same=ok; else same=MISMATCH; fi
wl "gzip: $(wc -c <data) bytes -> $(wc -c <data.gz) gzip'd -> $(wc -c <data.unz) back, sha256 ${orig%% *} $same"
rm -f data data.gz data.unz

# 6. signals: a trap handler receiving SIGUSR1 from five children, and SIGTERM to a background sleep
got=0
trap 'got=$((got + 1))' USR1
for i in 1 2 3 4 5; do
	sh -c 'kill -USR1 $PPID'
done
trap - USR1
sleep 60 &
pid=$!
kill -TERM $pid
wait $pid
st=$?
wl "signals: SIGUSR1 handled $got/5; background sleep after SIGTERM exited with status $st"

# 7. mmap: glibc's malloc serves allocations above 128 KiB with mmap, frees them with munmap and
#    shrinks them with mremap (awk doubling a string to 1 MiB); and the shape of a process's
#    mappings (permissions and backing; addresses dropped): exec maps /bin/busybox from the
#    page cache, so its file-backed mappings and their page faults are exercised too.
wl "mmap: awk built strings of $(awk 'BEGIN { s = "ab"; for (i = 0; i < 19; i++) s = s s; print length(s) }') bytes"
wl "maps: $(awk '{ printf "%s %s, ", $2, (NF >= 6 ? $6 : "[anon]") }' /proc/self/maps)"

wl "workload end"
