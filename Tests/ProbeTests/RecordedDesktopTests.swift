import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// The recorded desktop `desktop-nvidia-amd` (see its NOTE.md for where each value comes from):
/// Ryzen 9 7950X, 64 GiB, an RTX 4090 answered by the NVML replay and an RX 7900 XTX read from
/// amdgpu sysfs.
@Suite struct RecordedDesktopTests {
    let root = Fixtures.machine("desktop-nvidia-amd")

    func probe(nvml: (any NVMLSource)? = nil) -> Machine {
        probeMachine(ProbeOptions(root: root, nvml: nvml, measureBandwidth: false))
    }

    @Test func findsBothGPUsAndNothingElse() {
        let machine = probe()
        // Five PCI functions are recorded; only the two class-0x03 ones are GPUs (the HDMI audio
        // functions are class 0x0403, the host bridge 0x0600).
        #expect(machine.gpus.map(\.pciAddress) == ["0000:01:00.0", "0000:03:00.0"])
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        #expect(machine.origin == "recorded machine \(root)")
        #expect(machine.hostname == "desktop-nvidia-amd")
    }

    @Test func nvidiaGPUFromPCIAndNVMLReplay() throws {
        let gpu = try #require(probe().gpus.first { $0.vendorID == "10de" })
        // lspci in geerlingguy/raspberry-pi-pcie-devices#504: 10de:2684 (rev a1), Gigabyte 1458:40bf.
        #expect(gpu.deviceID == "2684")
        #expect(gpu.subsystemVendorID == "1458")
        #expect(gpu.subsystemDeviceID == "40bf")
        #expect(gpu.revision == "a1")
        #expect(gpu.driver == "nvidia")
        #expect(gpu.name == "NVIDIA GeForce RTX 4090")
        #expect(gpu.nameSource == "NVML")
        // nvidia-smi "507MiB / 24564MiB" (RLinf/RLinf#255).
        #expect(gpu.vramTotalBytes == 24_564 * mebibyte)
        #expect(gpu.vramFreeBytes == (24_564 - 507) * mebibyte)
        #expect(gpu.memorySource == "NVML replay nvml.json nvmlDeviceGetMemoryInfo")
        #expect(gpu.isIntegrated == false)
    }

    @Test func amdGPUFromPCIAndAmdgpuSysfs() throws {
        let gpu = try #require(probe().gpus.first { $0.vendorID == "1002" })
        // LACT (ilya-zlobintsev/LACT#533): 0x1002:0x744C:0xC8, PowerColor 0x148C:0x2422, driver amdgpu, 24560 MiB.
        #expect(gpu.deviceID == "744c")
        #expect(gpu.subsystemVendorID == "148c")
        #expect(gpu.subsystemDeviceID == "2422")
        #expect(gpu.revision == "c8")
        #expect(gpu.driver == "amdgpu")
        // pci.ids 2023.04.10 names the device id shared by the XT and the XTX.
        #expect(gpu.name == "Navi 31 [Radeon RX 7900 XT/7900 XTX]")
        #expect(gpu.nameSource == "pci.ids")
        #expect(gpu.vramTotalBytes == 24_560 * mebibyte)
        #expect(gpu.vramTotalBytes == 25_753_026_560)
        // mem_info_vram_used 27856896 → free = total − used.
        #expect(gpu.vramFreeBytes == Int64(25_753_026_560 - 27_856_896))
        // GTT = half of MemTotal (65683228 kB) in whole 4 KiB pages: 65683228 / 4 / 2 = 8210403 pages.
        #expect(gpu.gttTotalBytes == Int64(8_210_403 * 4096))
        #expect(gpu.gttFreeBytes == Int64(8_210_403 * 4096 - 16_252_928))
        #expect(gpu.isIntegrated == false)
    }

    @Test func cpu() {
        let cpu = probe().cpu
        // AMD: Ryzen 9 7950X, 16 cores / 32 threads, Zen 4 with AVX-512 (incl. VNNI and BF16), no AMX.
        #expect(cpu.model == "AMD Ryzen 9 7950X 16-Core Processor")
        #expect(cpu.vendor == "AuthenticAMD")
        #expect(cpu.physicalCores == 16)
        #expect(cpu.logicalCores == 32)
        for flag in ["avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16"] {
            #expect(cpu.simdFlags.contains(flag), "missing \(flag)")
        }
        #expect(!cpu.simdFlags.contains("amx_tile"))
        #expect(!cpu.simdFlags.contains("neon"))
        #expect(cpu.frequencyMHz == 4500)
        #expect(cpu.measuredBandwidth == nil)
    }

    @Test func memory() {
        let memory = probe().memory
        #expect(memory.totalBytes == 65_683_228 * kibibyte)
        #expect(memory.availableBytes == 58_935_212 * kibibyte)
        // cgroup v2, memory.max "max" at every level of user.slice/user-1000.slice/session-2.scope.
        #expect(memory.cgroupVersion == 2)
        #expect(memory.cgroupLimitBytes == nil)
        #expect(memory.cgroupUsageBytes == nil)
    }

    @Test func missingNVMLLibraryIsOneUnknownAndKeepsTheGPU() throws {
        let machine = probe(nvml: SystemNVML(libraryName: "libnvidia-ml-absent-for-test.so.1"))
        let gpu = try #require(machine.gpus.first { $0.vendorID == "10de" })
        #expect(gpu.name == "AD102 [GeForce RTX 4090]")
        #expect(gpu.nameSource == "pci.ids")
        #expect(gpu.vramTotalBytes == nil)
        #expect(machine.unknowns == [
            "NVML (libnvidia-ml-absent-for-test.so.1) not found: NVIDIA memory unknown; install the NVIDIA driver",
        ])
        // The AMD card does not depend on NVML.
        #expect(machine.gpus.first { $0.vendorID == "1002" }?.vramTotalBytes == 25_753_026_560)
    }

    @Test func nvmlInitFailureIsReported() throws {
        struct Failing: NVMLSource {
            var sourceDescription: String { "failing NVML" }
            func query(pciAddresses: [String]) throws(NVMLError) -> [NVMLDeviceReport] {
                throw .initFailed(code: 18, message: "Driver/library version mismatch")
            }
        }
        let machine = probe(nvml: Failing())
        #expect(machine.unknowns.count == 1)
        #expect(machine.unknowns.first?.contains("Driver/library version mismatch") == true)
        #expect(machine.gpus.count == 2)
    }

    @Test func libpciListsEveryFunctionWithDriverAndClass() throws {
        let scan = try PCIBus.scan(sysfsBusPCI: root + "/sys/bus/pci", pciIDsPath: root + "/usr/share/misc/pci.ids")
        #expect(scan.devices.map(\.address) == ["0000:00:00.0", "0000:01:00.0", "0000:01:00.1", "0000:03:00.0", "0000:03:00.1"])
        #expect(scan.devices.map(\.classCode) == [0x0600, 0x0300, 0x0403, 0x0300, 0x0403])
        #expect(scan.devices.map(\.driver) == [nil, "nvidia", "snd_hda_intel", "amdgpu", "snd_hda_intel"])
        #expect(scan.devices[1].vendorName == "NVIDIA Corporation")
        // 1022:14d8 is not in pci.ids 2023.04.10.
        #expect(scan.devices[0].deviceName == nil)
        #expect(scan.warnings.isEmpty)
    }
}
