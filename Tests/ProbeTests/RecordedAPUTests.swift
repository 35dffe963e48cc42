import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// AMD integrated GPUs: a Strix Halo APU that lives on GTT, and a desktop iGPU beside a discrete card
/// (NOTE.md of `strix-halo-gtt` and `desktop-igpu-rtx5090` give the sources).
@Suite struct RecordedAPUTests {
    /// unsloth PR #7960 (Beelink GTR9 Pro, Ryzen AI MAX+ 395, `amdgpu.gttsize=131072`, BIOS UMA 512 MB):
    /// "host RAM: 124.92 GiB, sysfs VRAM total: 0.50 GiB, sysfs GTT total: 128.00 GiB".
    @Test func strixHaloReportsTheCarveOutAndTheGTT() throws {
        let machine = Fixtures.probe("strix-halo-gtt")
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        let gpu = try #require(machine.gpus.first)
        // magnitude#44 (amdgpu_top): DeviceID 5510 = 0x1586, RevisionID 209 = 0xd1, pci 0000:c3:00.0.
        #expect(gpu.pciAddress == "0000:c3:00.0" && gpu.deviceID == "1586" && gpu.revision == "d1")
        #expect(gpu.isIntegrated)
        #expect(gpu.vramTotalBytes == 512 * mebibyte)
        #expect(gpu.gttTotalBytes == 131_072 * mebibyte)
        #expect(machine.memory.totalBytes == 130_988_933 * kibibyte)
        #expect(machine.facts?.contains { $0.name == "gpu 0000:c3:00.0 integrated" && $0.value.contains("Strix Halo") } == true)
    }

    /// What a runtime can allocate: the GTT, which here exceeds the RAM that exists (128 GiB of GTT on
    /// 124.92 GiB of MemTotal), so it is capped at MemTotal; the 512 MiB carve-out is not added
    /// (ROCm/ROCm#6004: adding both overcounts an APU).
    @Test func strixHaloUsableMemoryIsGTTCappedByPhysicalRAM() throws {
        let machine = Fixtures.probe("strix-halo-gtt")
        let gpu = try #require(machine.gpus.first)
        let shared = try #require(MachineResources.integratedMemory(gpu, memory: machine.memory))
        #expect(shared.bytes == machine.memory.totalBytes)
        #expect(shared.bytes < gpu.gttTotalBytes!)
        #expect(shared.bytes < gpu.gttTotalBytes! + gpu.vramTotalBytes!)
        #expect(shared.unified)
        #expect(shared.basis.contains("capped at MemTotal"))
    }

    /// The fit a Strix Halo owner expects: a 70B Q4_K_M model (≈ 40 GiB) entirely on the GPU, out of unified
    /// memory, at the 256 GB/s of the catalog row for this RAM size (128 GB: MemTotal + carve-out).
    @Test func strixHaloRunsASeventyBillionModelOnTheGPU() throws {
        let fit = MachineFit(Fixtures.probe("strix-halo-gtt"), Models.llama31_70B, ctx: 8192)
        let device = try #require(fit.devices.first)
        #expect(fit.devices.count == 1)
        #expect(device.catalogID == "ryzen-ai-max-395")
        #expect(device.unifiedMemory)
        #expect(device.backend == .vulkan)
        #expect(device.bandwidthGBps == 256)
        #expect(fit.kind == .allOnGPU, "\(fit.result.verdict)")
        // The GPU's share is charged to RAM as well: the host table holds it.
        #expect(fit.result.placement.host.items.contains { $0.label.hasSuffix("share of unified memory") && $0.bytes > 30 * 1024 * mebibyte })
    }

    /// A firmware carve-out larger than the GTT (BIOS "96 GB VRAM" on a 128 GB Strix Halo; ROCm#5444 shows
    /// `mem_info_vram_total` 103079215104) is memory the OS cannot use: a dedicated, non-unified pool.
    @Test func largeCarveOutIsDedicatedMemory() throws {
        let gpu = GPUDevice(pciAddress: "0000:c6:00.0", vendorID: "1002", deviceID: "1586", revision: "c1", name: "Strix Halo",
                            nameSource: "test", driver: "amdgpu", vramTotalBytes: 103_079_215_104, gttTotalBytes: 16_651_264 * kibibyte,
                            memorySource: "sysfs", isIntegrated: true)
        let memory = MemoryInfo(totalBytes: 31 * 1024 * mebibyte)
        let shared = try #require(MachineResources.integratedMemory(gpu, memory: memory))
        #expect(shared.bytes == 103_079_215_104)
        #expect(!shared.unified)
    }

    /// ComfyUI-MultiGPU#112: a Ryzen 9 9950X3D whose iGPU has an 8 GB carve-out, beside an RTX 5090. The
    /// carve-out is too large for the small-carve-out rule, so the APU device id (13c0 Granite Ridge) marks it.
    @Test func desktopIGPUIsIntegratedEvenWithALargeCarveOut() throws {
        let machine = Fixtures.probe("desktop-igpu-rtx5090")
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        #expect(machine.gpus.map(\.pciAddress) == ["0000:01:00.0", "0000:7c:00.0"])
        let igpu = try #require(machine.gpus.first { $0.deviceID == "13c0" })
        #expect(igpu.vramTotalBytes == 8 * 1024 * mebibyte)
        #expect(igpu.isIntegrated)
        let card = try #require(machine.gpus.first { $0.deviceID == "2b85" })
        #expect(!card.isIntegrated)
        // club-3090#617: "492MiB / 32607MiB".
        #expect(card.vramTotalBytes == 32_607 * mebibyte)
    }

    /// The fit uses the RTX 5090 alone: the iGPU is never a second discrete card and never pooled with it.
    @Test func desktopIGPUIsNeitherASecondCardNorPooled() throws {
        let machine = Fixtures.probe("desktop-igpu-rtx5090")
        let small = MachineFit(machine, Models.qwen25_32B)
        #expect(small.devices.map(\.catalogID) == ["rtx-5090"])
        #expect(small.notes.contains { $0.contains("0000:7c:00.0") && $0.contains("never pooled") })
        #expect(small.kind == .allOnGPU)
        // 70B Q4_K_M needs ≈ 40 GiB: more than the 5090's free 31.4 GiB, so part stays on the CPU — the 8 GiB
        // carve-out does not close the gap.
        let large = MachineFit(machine, Models.llama31_70B)
        #expect(large.kind == .partialOffload)
        #expect(large.gpuLayers.count == 1)
    }
}
