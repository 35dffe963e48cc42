import Foundation

/// Achieved fraction of peak memory bandwidth, η_bw, per backend, with its spread
/// (memory-model.md §5.2 "Suggested defaults", from the measured points of that table).
public struct BandwidthEfficiency: Codable, Sendable, Equatable {
    public var mid: Double
    public var low: Double
    public var high: Double
    public var source: String

    public init(mid: Double, low: Double, high: Double, source: String) {
        self.mid = mid; self.low = low; self.high = high; self.source = source
    }

    /// - CUDA 0.65 (0.5–0.8): RTX 3090 Ti 0.48 (llama.cpp PR #4812), RTX 3080 0.72, RTX 5090 ~0.62.
    /// - ROCm 0.55: RX 7900 XTX 0.54 (llama.cpp PR #26284). Vulkan 0.5: RTX 4090 1B 0.50.
    /// - Metal 0.55 (0.3–0.7): M1 Max 0.29–0.58 (llama.cpp issue #27525).
    /// - SYCL: no data point in the reference; Vulkan's 0.5 is used.
    /// - CPU 0.9 (0.6–1.1) of the *measured triad* bandwidth: DESIGN §7 records llama.cpp decoding Gemma 3 270M
    ///   Q4_K_M (~250 MB read per token, its tied 170 MB head included) at 94 tok/s with 2 threads on a 2-core
    ///   Zen 5 VM whose triad measures 21–22 GB/s here, i.e. η ≈ 1.1 of triad; memory-model.md §5.2's 0.6 is of
    ///   *theoretical* DRAM bandwidth (i9-13900K, llama.cpp issue #34) and serves as the low end. `bench`
    ///   replaces this with the η measured on the user's CPU.
    public static func forBackend(_ b: GPUSpec.Backend) -> BandwidthEfficiency {
        switch b {
        case .cuda: BandwidthEfficiency(mid: 0.65, low: 0.5, high: 0.8, source: "CUDA η 0.65 (memory-model.md §5.2)")
        case .rocm: BandwidthEfficiency(mid: 0.55, low: 0.45, high: 0.65, source: "ROCm η 0.55 (memory-model.md §5.2)")
        case .vulkan: BandwidthEfficiency(mid: 0.5, low: 0.4, high: 0.6, source: "Vulkan η 0.5 (memory-model.md §5.2)")
        case .sycl: BandwidthEfficiency(mid: 0.5, low: 0.4, high: 0.6, source: "SYCL: Vulkan's η 0.5, no SYCL data point")
        case .metal: BandwidthEfficiency(mid: 0.55, low: 0.3, high: 0.7, source: "Metal η 0.55 (memory-model.md §5.2)")
        case .cpu: BandwidthEfficiency(mid: 0.9, low: 0.6, high: 1.1, source: "CPU η 0.9 of the measured triad (DESIGN §7 measurement)")
        }
    }
}

/// Fraction of peak arithmetic reached by batched matrix products, η_c = 0.5: the RTX 4090 runs llama-8B
/// prompt processing at ~90 TFLOP/s (llama.cpp PR #7716, memory-model.md §5.3) against 165 TFLOPS of dense
/// FP16 with FP32 accumulation on its datasheet, 0.55.
public let computeEfficiency = 0.5

/// Fixed cost per forward pass on a discrete GPU, seconds: 0.3–0.7 ms, derived from a 1B model on Vulkan
/// (1.31 ms measured against 0.66 ms of transfer, memory-model.md §5.2). The CPU backend has none modelled.
public let gpuFixedSecondsPerForward = (low: 0.0003, mid: 0.0005, high: 0.0007)

/// One segment of a forward pass: the layers a device holds and how fast it reads them.
public struct ForwardSegment: Sendable {
    public var device: String
    public var bandwidthGBps: Double
    public var efficiency: BandwidthEfficiency
    public var peakGFLOPS: Double
    public var isGPU: Bool
    public var layers: Range<Int>
    public var holdsOutput: Bool
}

/// Decode time of one forward pass: the bandwidth roofline of memory-model.md §5.1, summed over devices
/// (layer split and partial offload run sequentially), with the compute roofline for batches (§5.3).
public enum ThroughputModel {
    public enum Case: Sendable { case low, mid, high }

    /// Seconds for a forward pass of `nTokens` tokens (1 for decode, γ+1 for verification).
    ///
    /// `t = Σ_devices max(bytes_read / (η·BW), flops / (η_c·FLOPS)) + t_fixed` with
    /// `bytes_read = weights of the device's layers (MoE experts: E·(1 − (1 − k/E)^n)/E of each stack) +
    /// output layer + KV read at position L`, and `flops = 2 · active parameters · nTokens`.
    public static func forwardSeconds(model: ModelSpec, memory: ModelMemory, segments: [ForwardSegment], nTokens: Int,
                                      position: Int, typeK: GGMLType, typeV: GGMLType, case c: Case) -> Double {
        var total = 0.0
        var anyGPU = false
        for seg in segments where !seg.layers.isEmpty || seg.holdsOutput {
            var bytes: Int64 = 0
            for il in seg.layers {
                let experts = memory.expertBytesPerLayer[il]
                let dense = memory.layerWeightBytes[il] - experts
                bytes += dense + Int64(Double(experts) * expertFractionRead(model: model, nTokens: nTokens))
            }
            if seg.holdsOutput { bytes += memory.outputLayerBytes }
            bytes += KVCache.readBytesPerToken(model: model, position: position, typeK: typeK, typeV: typeV, layers: seg.layers)
            let eta = c == .low ? seg.efficiency.low : c == .high ? seg.efficiency.high : seg.efficiency.mid
            let tBW = Double(bytes) / (eta * seg.bandwidthGBps * 1e9)
            var activeParams = 0.0
            for il in seg.layers {
                activeParams += Double(memory.activeWeightBytesPerLayer[il]) / Double(max(1, memory.weightBytes)) * Double(memory.parameterCount)
            }
            if seg.holdsOutput { activeParams += Double(model.nEmbd) * Double(model.vocabSize) }
            let tC = 2 * activeParams * Double(nTokens) / (computeEfficiency * seg.peakGFLOPS * 1e9)
            total += max(tBW, tC)
            anyGPU = anyGPU || seg.isGPU
        }
        if anyGPU {
            total += c == .low ? gpuFixedSecondsPerForward.high : c == .high ? gpuFixedSecondsPerForward.low : gpuFixedSecondsPerForward.mid
        }
        return total
    }

    /// Fraction of an expert stack a batch of n tokens reads under uniform routing:
    /// `E[distinct experts] / E = 1 − (1 − k/E)^n` (memory-model.md §5.3; an upper bound since real routing correlates).
    public static func expertFractionRead(model: ModelSpec, nTokens: Int) -> Double {
        guard model.nExpert > 0 else { return 1 }
        let p = Double(model.nExpertUsed) / Double(model.nExpert)
        return 1 - pow(1 - p, Double(nTokens))
    }
}
