import Foundation
@testable import Probe
import SpecFitCore

/// Catalog rows the fit checks need, written out from `catalog/gpus.csv` (same id, PCI ids, VRAM, bandwidth,
/// variant and backend as the row), so ProbeTests do not depend on the Catalog target.
enum Cards {
    static let rtx5090 = GPUSpec(id: "rtx-5090", vendor: "nvidia", name: "GeForce RTX 5090", pciVendorID: "10de", pciDeviceID: "2b85",
                                 variant: .desktop, vramMiB: 32768, bandwidthGBps: 1792, fp16TFLOPS: 419, backend: .cuda, source: "catalog/gpus.csv")
    static let rtx5090Laptop2c58 = GPUSpec(id: "rtx-5090-laptop-2c58", vendor: "nvidia", name: "GeForce RTX 5090 Laptop GPU", pciVendorID: "10de",
                                           pciDeviceID: "2c58", variant: .laptop, vramMiB: 24576, bandwidthGBps: 896, backend: .cuda, source: "catalog/gpus.csv")
    static let rtx5090Laptop = GPUSpec(id: "rtx-5090-laptop", vendor: "nvidia", name: "GeForce RTX 5090 Laptop GPU", pciVendorID: "10de",
                                       pciDeviceID: "2c18", variant: .laptop, vramMiB: 24576, bandwidthGBps: 896, backend: .cuda, source: "catalog/gpus.csv")
    static let rtx4090 = GPUSpec(id: "rtx-4090", vendor: "nvidia", name: "GeForce RTX 4090", pciVendorID: "10de", pciDeviceID: "2684",
                                 variant: .desktop, vramMiB: 24576, bandwidthGBps: 1008, fp16TFLOPS: 330.3, backend: .cuda, source: "catalog/gpus.csv")
    static let rtx3090 = GPUSpec(id: "rtx-3090", vendor: "nvidia", name: "GeForce RTX 3090", pciVendorID: "10de", pciDeviceID: "2204",
                                 variant: .desktop, vramMiB: 24576, bandwidthGBps: 936, fp16TFLOPS: 142, backend: .cuda, source: "catalog/gpus.csv")
    static let a100SXM80 = GPUSpec(id: "a100-80gb-sxm", vendor: "nvidia", name: "A100 80GB SXM", pciVendorID: "10de", pciDeviceID: "20b2",
                                   variant: .datacenter, vramMiB: 81920, bandwidthGBps: 2039, fp16TFLOPS: 312, backend: .cuda, source: "catalog/gpus.csv")
    static let arcA770_16 = GPUSpec(id: "arc-a770-16gb", vendor: "intel", name: "Arc A770 16GB", pciVendorID: "8086", pciDeviceID: "56a0",
                                    variant: .desktop, vramMiB: 16384, bandwidthGBps: 560, backend: .sycl, tieBreak: "vram_mib", source: "catalog/gpus.csv")
    static let arcA770_8 = GPUSpec(id: "arc-a770-8gb", vendor: "intel", name: "Arc A770 8GB", pciVendorID: "8086", pciDeviceID: "56a0",
                                   variant: .desktop, vramMiB: 8192, bandwidthGBps: 512, backend: .sycl, tieBreak: "vram_mib", source: "catalog/gpus.csv")
    static let arcB580 = GPUSpec(id: "arc-b580", vendor: "intel", name: "Arc B580", pciVendorID: "8086", pciDeviceID: "e20b",
                                 variant: .desktop, vramMiB: 12288, bandwidthGBps: 456, backend: .sycl, source: "catalog/gpus.csv")
    static func strixHalo(_ id: String, _ gb: Int) -> GPUSpec {
        GPUSpec(id: id, vendor: "amd", name: "Ryzen AI Max+ 395 (Radeon 8060S), \(gb) GB", pciVendorID: "1002", pciDeviceID: "1586",
                pciRevisions: ["c1", "c3", "c6", "d1"], variant: .igpu, vramMiB: gb * 1024, bandwidthGBps: 256, unifiedMemory: true,
                gpuWorkingSetMiB: gb * 512, backend: .vulkan, tieBreak: "revision", source: "catalog/gpus.csv")
    }
    static let appleM4Max128 = GPUSpec(id: "apple-m4-max-128gb", vendor: "apple", name: "Apple M4 Max (40-core GPU), 128 GB", variant: .unified,
                                       vramMiB: 131072, bandwidthGBps: 546, unifiedMemory: true, gpuWorkingSetMiB: 98304, backend: .metal, source: "catalog/gpus.csv")
    static let appleM4Pro24 = GPUSpec(id: "apple-m4-pro-24gb", vendor: "apple", name: "Apple M4 Pro, 24 GB", variant: .unified,
                                      vramMiB: 24576, bandwidthGBps: 273, unifiedMemory: true, gpuWorkingSetMiB: 16384, backend: .metal, source: "catalog/gpus.csv")

    static let all: [GPUSpec] = [rtx5090, rtx5090Laptop2c58, rtx5090Laptop, rtx4090, rtx3090, a100SXM80, arcA770_16, arcA770_8, arcB580,
                                 strixHalo("ryzen-ai-max-395", 128), strixHalo("ryzen-ai-max-395-64gb", 64), strixHalo("ryzen-ai-max-395-32gb", 32),
                                 appleM4Max128, appleM4Pro24]
}

/// Model shapes from the models' published config.json files.
enum Models {
    /// meta-llama/Llama-3.1-8B config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, ffn 14336, vocab 128256.
    static let llama31_8B = ModelSpec(id: "llama-3.1-8b", family: "llama3", name: "Llama 3.1 8B", architecture: "llama",
                                      paramsTotalB: 8.03, paramsActiveB: 8.03, nLayer: 32, nEmbd: 4096, nHead: 32, nHeadKV: 8,
                                      headDimK: 128, headDimV: 128, nFF: 14336, vocabSize: 128256, tokenizerID: "llama3",
                                      nCtxTrain: 131072, tiedEmbeddings: false, source: "test")
    /// meta-llama/Llama-3.1-70B config.json: 80 layers, hidden 8192, 64 heads, 8 KV heads, ffn 28672, vocab 128256.
    static let llama31_70B = ModelSpec(id: "llama-3.1-70b", family: "llama3", name: "Llama 3.1 70B", architecture: "llama",
                                       paramsTotalB: 70.55, paramsActiveB: 70.55, nLayer: 80, nEmbd: 8192, nHead: 64, nHeadKV: 8,
                                       headDimK: 128, headDimV: 128, nFF: 28672, vocabSize: 128256, tokenizerID: "llama3",
                                       nCtxTrain: 131072, tiedEmbeddings: false, source: "test")
    /// Qwen/Qwen2.5-32B config.json: 64 layers, hidden 5120, 40 heads, 8 KV heads, ffn 27648, vocab 152064.
    static let qwen25_32B = ModelSpec(id: "qwen2.5-32b", family: "qwen2.5", name: "Qwen2.5 32B", architecture: "qwen2",
                                      paramsTotalB: 32.76, paramsActiveB: 32.76, nLayer: 64, nEmbd: 5120, nHead: 40, nHeadKV: 8,
                                      headDimK: 128, headDimV: 128, nFF: 27648, vocabSize: 152064, tokenizerID: "qwen2.5",
                                      nCtxTrain: 131072, tiedEmbeddings: false, source: "test")
    static let llama3Tokenizer = TokenizerFacts(vocabType: "bpe", vocabSize: 128256, bosID: 128000, eosID: 128009, addBOS: true, addEOS: false, groupID: "llama3")
}

/// A fit as `specfit fit` runs it on a probed machine: the machine's own devices and host, Q4_K_M.
struct MachineFit {
    var result: FitResult
    var devices: [ComputeDevice]
    var notes: [String]

    init(_ machine: Machine, _ model: ModelSpec, ctx: Int = 4096, liveFreeMemory: Bool = true, cards: [GPUSpec] = Cards.all) {
        let (devices, notes) = MachineResources.devices(machine, cards: cards, liveFreeMemory: liveFreeMemory)
        let request = FitRequest(target: model, targetFtype: .q4_K_M, targetTokenizer: Models.llama3Tokenizer,
                                 config: RunConfig(nCtx: ctx), gpus: devices, host: MachineResources.host(machine),
                                 machineLabel: "recorded machine")
        self.result = FitEngine.evaluate(request, withAdvice: false)
        self.devices = devices
        self.notes = notes
    }

    var kind: PlacementKind { result.kind }
    /// Target layers per GPU, in device order.
    var gpuLayers: [Int] { result.placement.target.gpuLayers }
}

extension Fixtures {
    /// The recorded machine `name` probed as `specfit probe --root` does, without measuring bandwidth.
    static func probe(_ name: String, nvml: (any NVMLSource)? = nil) -> Machine {
        probeMachine(ProbeOptions(root: machine(name), nvml: nvml, measureBandwidth: false))
    }

    /// A copy of a recorded machine in a temporary folder, to vary one file; the caller removes it.
    static func copy(_ name: String) throws -> URL {
        let target = try temporaryDirectory().appendingPathComponent(name)
        try FileManager.default.copyItem(atPath: machine(name), toPath: target.path)
        return target
    }
}
