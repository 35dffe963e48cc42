import Foundation

/// KV-cache sizing in llama.cpp (memory-model.md §2).
public enum KVCache {
    /// Cells per stream of full-attention layers and the stream count.
    ///
    /// `n_ctx = PAD(n_ctx, 256)`; unified: one stream of n_ctx cells; non-unified: `n_seq_max` streams of
    /// `PAD(n_ctx / n_seq_max, 256)` cells (llama.cpp `src/llama-context.cpp:288-304`, PR #17046).
    public static func cells(nCtx: Int, parallel: Int, unified: Bool) -> (perStream: Int, streams: Int) {
        let padded = pad(nCtx, to: 256)
        if unified || parallel <= 1 { return (padded, 1) }
        return (pad(padded / parallel, to: 256), parallel)
    }

    /// Cells per stream of a sliding-window layer:
    /// `PAD(min(size_base, n_swa · (kv_unified ? n_seq_max : 1) + n_ubatch), 256)`, or `size_base` with `--swa-full`
    /// (llama.cpp `src/llama-kv-cache-iswa.cpp:73-81`, memory-model.md §2.3).
    public static func swaCells(sizeBase: Int, window: Int, parallel: Int, unified: Bool, nUBatch: Int, swaFull: Bool) -> Int {
        if swaFull { return sizeBase }
        return pad(min(sizeBase, window * (unified ? parallel : 1) + nUBatch), to: 256)
    }

    /// KV bytes of each layer of `model`:
    /// `row_bytes(type_k, n_embd_k_gqa)·cells + row_bytes(type_v, n_embd_v_gqa)·cells` over all streams
    /// (llama.cpp `src/llama-kv-cache.cpp:206-232`); MLA layers hold K only (§2.4).
    /// - Returns: one entry per layer, in bytes.
    public static func layerBytes(model: ModelSpec, nCtx: Int, parallel: Int, unified: Bool, nUBatch: Int,
                                  swaFull: Bool, typeK: GGMLType, typeV: GGMLType) -> [Int64] {
        let (base, streams) = cells(nCtx: nCtx, parallel: parallel, unified: unified)
        let nUB = min(nUBatch, pad(nCtx, to: 256))
        let swa = swaCells(sizeBase: base, window: model.slidingWindow, parallel: parallel, unified: unified,
                           nUBatch: nUB, swaFull: swaFull)
        let (kW, vW) = model.kvWidths
        return (0..<model.nLayer).map { il in
            let c = Int64(model.isSWA(layer: il) ? swa : base) * Int64(streams)
            return (typeK.rowBytes(Int64(kW)) + (vW > 0 ? typeV.rowBytes(Int64(vW)) : 0)) * c
        }
    }

    /// Bytes of K and V read per generated token at position `position` (memory-model.md §5.1:
    /// `KV_read(L) = Σ L_eff(il) · (n_embd_k_gqa + n_embd_v_gqa) · bytes`, `L_eff = min(L, n_swa)` on SWA layers).
    public static func readBytesPerToken(model: ModelSpec, position: Int, typeK: GGMLType, typeV: GGMLType,
                                         layers: Range<Int>? = nil) -> Int64 {
        let (kW, vW) = model.kvWidths
        let perCell = typeK.rowBytes(Int64(kW)) + (vW > 0 ? typeV.rowBytes(Int64(vW)) : 0)
        var total: Int64 = 0
        for il in layers ?? 0..<model.nLayer {
            let l = model.isSWA(layer: il) ? min(position, model.slidingWindow) : position
            total += Int64(l) * perCell
        }
        return total
    }
}
