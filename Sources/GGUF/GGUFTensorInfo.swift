import Foundation
import SpecFitCore

/// One tensor-info record of a GGUF file (ggml `docs/gguf.md`, `gguf_tensor_info_t`).
public struct GGUFTensorInfo: Sendable, Equatable {
    public var name: String
    /// Shape, innermost dimension (ne0) first, as ggml stores it; 1 to 4 entries.
    public var shape: [Int64]
    /// The ggml type id as written in the file.
    public var typeID: Int32
    /// The ggml type, or nil when the id is not in ``GGMLType``'s table (then ``bytes`` is nil too).
    public var type: GGMLType?
    /// Offset of the data from the start of its file's data section (a multiple of the alignment).
    public var offset: Int64
    /// Index of the shard (file) holding the data, in ``GGUFModel/shardPaths``.
    public var shard: Int
    /// Absolute offset of the data in its file: the shard's data offset + ``offset``.
    public var fileOffset: Int64

    public init(name: String, shape: [Int64], typeID: Int32, type: GGMLType?, offset: Int64, shard: Int, fileOffset: Int64) {
        self.name = name; self.shape = shape; self.typeID = typeID; self.type = type
        self.offset = offset; self.shard = shard; self.fileOffset = fileOffset
    }

    public var elements: Int64 { shape.reduce(1, *) }

    /// `ggml_nbytes`: `type_size · ne0 / blck_size · ne1 · ne2 · ne3` (memory-model.md §1.1); nil for an unknown type.
    public var bytes: Int64? { type?.tensorBytes(shape) }

    /// Dimensions after dropping trailing 1s, as `ggml_n_dims` counts them (a [640, 1] tensor is 1-D).
    public var effectiveDimensions: Int {
        var n = shape.count
        while n > 1 && shape[n - 1] == 1 { n -= 1 }
        return n
    }

    /// The block index from a `blk.N.` prefix, or -1 outside the blocks.
    public var layer: Int {
        guard name.hasPrefix("blk.") else { return -1 }
        let rest = name.dropFirst(4)
        guard let dot = rest.firstIndex(of: "."), let n = Int(rest[..<dot]), n >= 0 else { return -1 }
        return n
    }

    /// The role llama-quantize gives the tensor.
    ///
    /// Never-quantised tensors first, after `tensor_allows_quantization` (llama.cpp `src/llama-quant.cpp:289-340`,
    /// memory-model.md §1.5): 1-D tensors, names not ending in `weight`, `*_norm.weight`, the MoE router
    /// `ffn_gate_inp.weight`, `ssm_conv1d`, RWKV `time_mix_*`, positional and token-type embeddings. Then the
    /// categories of `tensor_get_category` (same file): `output.weight`, `token_embd.weight`, and substring
    /// matches of `attn_qkv.weight`, `attn_kv_b.weight`, `attn_v.weight`, `attn_k.weight`, `attn_q.weight`,
    /// `attn_output.weight`, `ffn_up`, `ffn_gate`, `ffn_down` (so `_exps` and `_shexp` stacks count with their kind).
    public var role: TensorRole {
        if name == "output.weight" && effectiveDimensions >= 2 { return .output }
        if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") && effectiveDimensions >= 2 { return .tokenEmbd }
        if effectiveDimensions < 2 || !name.hasSuffix("weight") || name.hasSuffix("_norm.weight")
            || name.contains("ffn_gate_inp.weight") || name.contains("ssm_conv1d") || name.contains("time_mix_")
            || name.contains("pos_embd") || name.contains("token_types") {
            return .keepSource
        }
        if name.contains("attn_qkv.weight") { return .attnQKV }
        if name.contains("attn_kv_b.weight") { return .attnKVB }
        if name.contains("attn_v.weight") { return .attnV }
        if name.contains("attn_k.weight") { return .attnK }
        if name.contains("attn_q.weight") { return .attnQ }
        if name.contains("attn_output.weight") { return .attnOutput }
        if name.contains("ffn_up") { return .ffnUp }
        if name.contains("ffn_gate") { return .ffnGate }
        if name.contains("ffn_down") { return .ffnDown }
        return .other
    }

    /// The tensor as SpecFitCore's ``TensorInfo``; nil when its type is unknown.
    public var tensorInfo: TensorInfo? {
        guard let type else { return nil }
        return TensorInfo(name: name, shape: shape, role: role, layer: layer, type: type)
    }
}

/// Something odd in a file that does not stop it being read.
public enum GGUFWarning: Sendable, Equatable, CustomStringConvertible {
    /// A tensor whose ggml type id is not in SpecFit's table: its size is unknown and left out of every total.
    case unknownTensorType(path: String, tensor: String, typeID: Int32)
    /// Another note (e.g. a sliding-window pattern SpecFit could not reduce to a period).
    case note(String)

    public var description: String {
        switch self {
        case let .unknownTensorType(path, tensor, typeID):
            let removed: Set<Int32> = [4, 5, 31, 32, 33, 36, 37, 38]
            let why = removed.contains(typeID)
                ? "a type ggml has removed (Q4_2/Q4_3 or a repacked Q4_0_x_y/IQ4_NL_x_y layout)"
                : "a type newer than SpecFit's table"
            return "\((path as NSString).lastPathComponent): tensor `\(tensor)` has ggml type id \(typeID), \(why); its size is unknown and left out of the totals — convert the file with a current llama.cpp, or update SpecFit"
        case let .note(s):
            return s
        }
    }
}
