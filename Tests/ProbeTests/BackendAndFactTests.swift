import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// Which backends each recorded machine can likely run, and the origins every fact carries.
@Suite struct BackendAndFactTests {
    func backends(_ machine: Machine, _ address: String) -> [GPUSpec.Backend: BackendAvailability] {
        let gpu = machine.gpus.first { $0.pciAddress == address }
        return Dictionary(uniqueKeysWithValues: (gpu?.backends ?? []).map { ($0.backend, $0) })
    }

    /// NVIDIA container: the toolkit mounts libcuda.so.1 and the kernel module answers /proc/driver/nvidia/version.
    @Test func cudaFromKernelModuleAndLibcuda() throws {
        let b = backends(Fixtures.probe("mig-a100-container"), "0000:01:00.0")
        let cuda = try #require(b[.cuda])
        #expect(cuda.likelyUsable)
        #expect(cuda.evidence.contains("NVIDIA kernel module 550.127.08"))
        #expect(cuda.evidence.contains("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
        #expect(b[.vulkan]?.likelyUsable == false)
    }

    /// Strix Halo with /dev/kfd and Mesa's RADV ICD: ROCm and Vulkan both likely usable.
    @Test func rocmFromKFDAndVulkanFromRADV() throws {
        let b = backends(Fixtures.probe("strix-halo-gtt"), "0000:c3:00.0")
        #expect(b[.rocm]?.likelyUsable == true)
        #expect(b[.rocm]?.evidence.contains("/dev/kfd") == true)
        let vulkan = try #require(b[.vulkan])
        #expect(vulkan.likelyUsable)
        #expect(vulkan.evidence.contains("radeon_icd.x86_64.json"))
        #expect(vulkan.evidence.contains("libvulkan_radeon.so"))
    }

    /// Arc B580 on xe with the Level Zero loader and Intel's driver for it, and ANV.
    @Test func syclFromLevelZeroAndVulkanFromANV() throws {
        let b = backends(Fixtures.probe("arc-b580-xe"), "0000:29:00.0")
        #expect(b[.sycl]?.likelyUsable == true)
        #expect(b[.vulkan]?.likelyUsable == true)
        #expect(b[.vulkan]?.evidence.contains("libvulkan_intel.so") == true)
    }

    /// A tree with no driver files: every backend is reported, none usable, each saying what was missing.
    @Test func nothingInstalledMeansNothingUsable() throws {
        let machine = Fixtures.probe("desktop-nvidia-amd")
        let nvidia = backends(machine, "0000:01:00.0")
        #expect(nvidia[.cuda]?.likelyUsable == false)
        #expect(nvidia[.cuda]?.evidence.contains("no libcuda.so.1") == true)
        let amd = backends(machine, "0000:03:00.0")
        #expect(amd[.rocm]?.likelyUsable == false)
        #expect(amd[.vulkan]?.likelyUsable == false)
    }

    /// Library folders listed in /etc/ld.so.conf.d are searched too (CUDA's installer writes one).
    @Test func ldSoConfDirectoriesAreSearched() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.write("/opt/vendor/lib\n", to: "etc/ld.so.conf.d/vendor.conf", under: root)
        try Fixtures.write("", to: "opt/vendor/lib/libcuda.so.1", under: root)
        let environment = BackendEnvironment(root: SystemRoot(root.path))
        #expect(environment.find("libcuda.so.1") == "opt/vendor/lib/libcuda.so.1")
    }

    @Test(arguments: [
        ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.127.08  Fri Oct 11 00:00:00 UTC 2024", "NVIDIA kernel module 550.127.08"),
        ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  595.71.05  Release Build  (dvs-builder@U22)", "NVIDIA kernel module 595.71.05"),
    ])
    func nvidiaModuleVersion(line: String, expected: String) {
        #expect(BackendEnvironment.nvidiaVersion(line) == expected)
    }

    /// Every number a fit depends on carries its origin: the file or call it came from.
    @Test func factsNameTheirOrigins() throws {
        let machine = Fixtures.probe("desktop-nvidia-amd")
        let facts = try #require(machine.facts)
        func origin(_ name: String) -> String? { facts.first { $0.name == name }?.origin }
        #expect(origin("cpu.model")?.contains("'model name' in /proc/cpuinfo") == true)
        #expect(origin("memory.totalBytes")?.contains("'MemTotal' in /proc/meminfo") == true)
        #expect(origin("gpu 0000:01:00.0 vramTotalBytes") == "NVML replay nvml.json nvmlDeviceGetMemoryInfo")
        #expect(origin("gpu 0000:03:00.0 vramTotalBytes")?.contains("/sys/bus/pci/devices/0000:03:00.0/mem_info_vram_total") == true)
        #expect(origin("gpu 0000:03:00.0 driver")?.contains("driver") == true)
        #expect(origin("hostname")?.contains("/proc/sys/kernel/hostname") == true)
        #expect(facts.allSatisfy { !$0.origin.isEmpty && !$0.value.isEmpty })
    }

    /// `probe --json` keeps the facts, and a machine file written before they existed still decodes.
    @Test func factsSurviveJSONAndOldFilesStillDecode() throws {
        let machine = Fixtures.probe("strix-halo-gtt")
        let decoded = try JSONDecoder().decode(Machine.self, from: JSONEncoder().encode(machine))
        #expect(decoded == machine)
        let old = try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("data/fixtures/machines/host-64gib.json"))
        let legacy = try JSONDecoder().decode(Machine.self, from: old)
        #expect(legacy.facts == nil)
        #expect(legacy.gpus.isEmpty)
    }
}
