# cmake -DHV_QEMU=qemu-system-i386 -DHV_KERNEL=hypervisor.elf [-DHV_INITRD="a args,b"]
#       [-DHV_APPEND="..."] -DHV_EXPECT=regex -DHV_STATUS=n [-DHV_TIMEOUT=s] -P qemu_run.cmake
#
# Boots the hypervisor in QEMU (TCG, 256 MiB, serial on stdout) and checks
# that the serial output matches HV_EXPECT and QEMU exits with HV_STATUS.
# isa-debug-exit makes the status code << 1 | 1 (arch_shutdown(0): 1;
# panic: 0xff); QEMU on its own exits 0 (a triple fault, with -no-reboot).
cmake_minimum_required(VERSION 3.20)
foreach(v HV_QEMU HV_KERNEL HV_EXPECT HV_STATUS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "qemu_run.cmake: ${v} is required")
  endif()
endforeach()
if(NOT EXISTS "${HV_KERNEL}")
  message(FATAL_ERROR "${HV_KERNEL} is missing: build first")
endif()
if(NOT HV_TIMEOUT)
  set(HV_TIMEOUT 60)
endif()
set(args -accel tcg -m 256M -kernel ${HV_KERNEL})
if(HV_INITRD)
  list(APPEND args -initrd "${HV_INITRD}")
endif()
if(HV_APPEND)
  list(APPEND args -append "${HV_APPEND}")
endif()
execute_process(COMMAND ${HV_QEMU} ${args} -display none -serial stdio -monitor none
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4
  INPUT_FILE /dev/null
  TIMEOUT ${HV_TIMEOUT}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REPLACE "\r" "" out "${out}")
message("${out}${err}")
if(NOT rc STREQUAL "${HV_STATUS}" OR NOT out MATCHES "${HV_EXPECT}")
  message(FATAL_ERROR "hypervisor run failed: QEMU exit status ${rc} (want ${HV_STATUS}), "
    "and the output must match '${HV_EXPECT}'")
endif()
