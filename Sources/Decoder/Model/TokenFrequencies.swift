/// Token counts over a text corpus, with the model's own tokenizer: the self-draft's reduced output head keeps the
/// N most frequent tokens of the corpus the project ships (`data/corpus/`, DESIGN §7), so the counting must
/// tokenise exactly as the decoder does — hence ``Tokenizer`` here, not an outside tool.
public enum TokenFrequencies {
    /// How often each token id occurs when `corpus` is tokenised as one raw text: no BOS/EOS (`addSpecial` false),
    /// special-token text left as plain characters (`parseSpecial` false). Ids that never occur are absent.
    public static func count(tokenizer: Tokenizer, corpus: String) -> [Int32: Int] {
        var counts: [Int32: Int] = [:]
        add(tokenizer.encode(corpus, addSpecial: false, parseSpecial: false), to: &counts)
        return counts
    }

    /// The counts summed over `documents`, each tokenised on its own (a file is one document: tokens never span
    /// two files, and no separator is invented between them).
    public static func count<S: Sequence>(tokenizer: Tokenizer, documents: S) -> [Int32: Int] where S.Element == String {
        var counts: [Int32: Int] = [:]
        for d in documents { add(tokenizer.encode(d, addSpecial: false, parseSpecial: false), to: &counts) }
        return counts
    }

    /// The `limit` most frequent ids, most frequent first; equal counts in increasing id order, so the choice is
    /// deterministic. Fewer when fewer ids occur.
    public static func mostFrequent(_ counts: [Int32: Int], limit: Int) -> [Int32] {
        guard limit > 0 else { return [] }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return ranked.prefix(limit).map(\.key)
    }

    private static func add(_ ids: [Int32], to counts: inout [Int32: Int]) {
        for id in ids { counts[id, default: 0] += 1 }
    }
}
