import Testing
@testable import SpecFitCore

/// Each doctor check on a machine where it must fire and one where it must not. The machines mirror recorded
/// fixtures of data/fixtures/machines (the busy RTX 3090, a container whose NVML does not know the GPU, an AMD
/// card without /dev/kfd) as the probe reports them.
@Suite struct DoctorTests {
    static func entry(_ check: String) -> ErrorEntry {
        ErrorEntry(id: check, symptom: "s", cause: "c", howToTell: "h", fix: "f", check: check, source: "test", date: "2026-01-01")
    }
    static func machine(_ gpus: [GPUDevice], unknowns: [String] = []) -> Machine {
        Machine(cpu: CPUInfo(model: "cpu", logicalCores: 8), memory: MemoryInfo(totalBytes: 64 << 30, availableBytes: 60 << 30),
                gpus: gpus, unknowns: unknowns, origin: "test")
    }
    static func status(_ check: String, _ m: Machine, fit: (FitResult, FitRequest)? = nil) -> DoctorFinding.Status {
        Doctor.run(entries: [entry(check)], machine: m, fit: fit)[0].status
    }
    // RTX 3090 figures as nvidia-smi reports them: 24576 MiB total (fixture busy-rtx3090).
    static func rtx3090(freeMiB: Int64, visible: Bool? = true) -> GPUDevice {
        GPUDevice(pciAddress: "0000:01:00.0", vendorID: "10de", deviceID: "2204", name: "GeForce RTX 3090", nameSource: "test",
                  driver: "nvidia", vramTotalBytes: 24576 << 20, vramFreeBytes: freeMiB << 20, memorySource: "NVML",
                  visibleToRuntime: visible)
    }

    @Test func other_processes_vram() {
        #expect(Self.status("other_processes_vram", Self.machine([Self.rtx3090(freeMiB: 14_000)])) == .fired)
        #expect(Self.status("other_processes_vram", Self.machine([Self.rtx3090(freeMiB: 24_000)])) == .clear)
    }

    @Test func container_without_the_gpu() {
        #expect(Self.status("container_no_gpu", Self.machine([Self.rtx3090(freeMiB: 24_000, visible: false)])) == .fired)
        #expect(Self.status("container_no_gpu", Self.machine([Self.rtx3090(freeMiB: 24_000)])) == .clear)
    }

    @Test func nvml_missing() {
        var g = Self.rtx3090(freeMiB: 24_000)
        g.vramFreeBytes = nil
        #expect(Self.status("nvml_mismatch", Self.machine([g], unknowns: ["NVML (libnvidia-ml.so.1) not found: NVIDIA memory unknown; install the NVIDIA driver"])) == .fired)
        #expect(Self.status("nvml_mismatch", Self.machine([Self.rtx3090(freeMiB: 24_000)])) == .clear)
    }

    @Test func rocm_without_kfd() {
        func amd(_ usable: Bool) -> GPUDevice {
            GPUDevice(pciAddress: "0000:03:00.0", vendorID: "1002", deviceID: "744c", name: "Radeon RX 7900 XTX", nameSource: "test",
                      driver: "amdgpu", backends: [BackendAvailability(backend: .rocm, likelyUsable: usable,
                                                                       evidence: usable ? "/dev/kfd present" : "no /dev/kfd: the amdgpu KFD interface is missing")])
        }
        #expect(Self.status("no_kfd", Self.machine([amd(false)])) == .fired)
        #expect(Self.status("no_kfd", Self.machine([amd(true)])) == .clear)
    }

    @Test func pair_checks_fire_and_clear() {
        // Llama-3-8B shapes on a 12 GiB card: at n_ctx 131072 the 16 GiB KV cache pushes half the layers to the CPU;
        // at 4096 it all fits.
        func fit(ctx: Int) -> (FitResult, FitRequest) {
            var r = RecommenderTests.base(gpuGiB: 12)
            r.target = Shapes.llama3_8B
            r.host.usableRAMBytes = 64 << 30
            r.config.nCtx = ctx
            return (FitEngine.evaluate(r), r)
        }
        let m = Self.machine([])
        #expect(Self.status("kv_too_large", m, fit: fit(ctx: 131072)) == .fired)
        #expect(Self.status("kv_too_large", m, fit: fit(ctx: 4096)) == .clear)
        #expect(Self.status("partial_offload", m, fit: fit(ctx: 131072)) == .fired)
        #expect(Self.status("partial_offload", m, fit: fit(ctx: 4096)) == .clear)
        var forced = fit(ctx: 131072).1
        forced.config.gpuLayers = 33
        #expect(Self.status("ngl_too_high", m, fit: (FitEngine.evaluate(forced), forced)) == .fired)
        #expect(Self.status("ngl_too_high", m, fit: fit(ctx: 4096)) == .clear)
        // Without a pair, pair checks say so instead of guessing.
        #expect(Self.status("kv_too_large", m) == .notChecked)
    }

    @Test func symptom_filter() {
        let entries = [ErrorEntry(id: "a", symptom: "CUDA out of memory", cause: "c", howToTell: "h", fix: "f", check: "swap", source: "s", date: "d"),
                       ErrorEntry(id: "b", symptom: "ROCm not detected", cause: "c", howToTell: "h", fix: "f", check: "no_kfd", source: "s", date: "d")]
        #expect(Doctor.run(entries: entries, machine: Self.machine([]), fit: nil, symptom: "cuda OUT of memory").map(\.entry.id) == ["a"])
    }
}
