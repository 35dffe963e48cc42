import Foundation

/// The serving runtime a verdict is for.
public enum Runtime: String, Codable, Sendable, CaseIterable {
    case llamaCpp = "llama.cpp"
    case vllm
}

/// The task vocabulary of DESIGN §1: the key of the acceptance priors.
public enum Task: String, Codable, Sendable, CaseIterable {
    case codeCompletion = "code-completion", codeEdit = "code-edit", chat, summarization, translation, math, qa
}

/// How the user intends to run the pair: context, slots, KV types, flash attention, offload.
public struct RunConfig: Codable, Sendable, Equatable {
    public var runtime: Runtime
    /// Context length in tokens (`-c`); the default is 4096 (DESIGN §1).
    public var nCtx: Int
    /// Parallel sequences (`-np`).
    public var parallel: Int
    /// Unified KV buffer across sequences (`-kvu`); llama-server's auto slots use a unified cache.
    public var kvUnified: Bool
    public var cacheTypeK: GGMLType
    public var cacheTypeV: GGMLType
    /// Draft KV types (`--spec-draft-type-k/v`, default F16; llama.cpp `common/common.h:340-341`).
    public var draftCacheTypeK: GGMLType
    public var draftCacheTypeV: GGMLType
    /// Flash attention: nil = auto (llama.cpp resolves it on the device; we assume on for GPUs).
    public var flashAttention: Bool?
    /// `-ngl` / `-ngld`: nil = auto (as many as fit).
    public var gpuLayers: Int?
    public var draftGPULayers: Int?
    /// `--swa-full`: sliding-window layers keep the whole context.
    public var swaFull: Bool
    /// Physical batch (`-ub`, default 512) and logical batch (`-b`, default 2048), llama.cpp `common/common.h`.
    public var nUBatch: Int
    public var nBatch: Int
    /// The task whose acceptance prior is used.
    public var task: Task
    /// Fixed draft length γ, or nil to search γ*.
    public var gamma: Int?
    /// Token position at which decode speed is quoted (KV read grows with it); nil = min(n_ctx, 1024).
    public var position: Int?

    public init(runtime: Runtime = .llamaCpp, nCtx: Int = 4096, parallel: Int = 1, kvUnified: Bool = true,
                cacheTypeK: GGMLType = .f16, cacheTypeV: GGMLType = .f16, draftCacheTypeK: GGMLType = .f16,
                draftCacheTypeV: GGMLType = .f16, flashAttention: Bool? = nil, gpuLayers: Int? = nil,
                draftGPULayers: Int? = nil, swaFull: Bool = false, nUBatch: Int = 512, nBatch: Int = 2048,
                task: Task = .chat, gamma: Int? = nil, position: Int? = nil) {
        self.runtime = runtime; self.nCtx = nCtx; self.parallel = parallel; self.kvUnified = kvUnified
        self.cacheTypeK = cacheTypeK; self.cacheTypeV = cacheTypeV; self.draftCacheTypeK = draftCacheTypeK
        self.draftCacheTypeV = draftCacheTypeV; self.flashAttention = flashAttention; self.gpuLayers = gpuLayers
        self.draftGPULayers = draftGPULayers; self.swaFull = swaFull; self.nUBatch = nUBatch; self.nBatch = nBatch
        self.task = task; self.gamma = gamma; self.position = position
    }

    public var quotePosition: Int { position ?? min(nCtx, 1024) }
}
