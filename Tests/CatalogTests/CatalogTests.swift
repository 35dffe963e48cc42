import Foundation
import Testing
@testable import Catalog
import SpecFitCore

@Suite struct BundledCatalogTests {
    @Test func bundled_source_matches_catalog_folder() throws {
        // scripts/gen-bundled-catalog must be re-run after editing catalog/*.csv.
        for (name, text) in BundledCatalog.tables {
            let file = try String(contentsOf: repoRoot.appendingPathComponent("catalog/\(name).csv"), encoding: .utf8)
            #expect(file.trimmingCharacters(in: .newlines) == text, "catalog/\(name).csv differs from Sources/Catalog/BundledCatalog.swift: run scripts/gen-bundled-catalog")
        }
    }

    @Test func first_rows_are_there() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = try store.models().map(\.id)
        #expect(models.count >= 25)
        for id in ["gemma-3-270m", "gemma-3-27b", "qwen2.5-coder-0.5b", "qwen2.5-coder-32b", "smollm2-135m", "smollm2-1.7b",
                   "llama-3.1-8b", "llama-3.1-70b", "llama-3.2-1b", "llama-3.2-3b", "qwen3-0.6b", "qwen3-8b", "qwen3-32b",
                   "qwen3-30b-a3b", "mistral-7b", "gpt-oss-20b", "deepseek-v3"] {
            #expect(models.contains(id), "\(id) missing")
        }
        let gpus = try store.gpus().map(\.id)
        #expect(gpus.count >= 25)
        for id in ["rtx-3090", "rtx-4090", "rtx-5090", "rtx-4090-laptop", "rtx-5090-laptop", "a100-80gb-sxm", "h100-sxm", "h200",
                   "l40s", "rx-7900-xtx", "mi300x", "arc-a770-16gb", "arc-b580", "ryzen-ai-max-395", "apple-m3-max-128gb",
                   "apple-m4-max-128gb"] {
            #expect(gpus.contains(id), "\(id) missing")
        }
        #expect(try store.acceptance().count >= 10)
        // Every ggml type of llama.cpp's enum is a quant_types row with the same block size and bytes.
        let qt = try store.rows(table: "quant_types")
        for t in GGMLType.allCases {
            let row = try #require(qt.first { $0["id"] == String(t.rawValue) }, "\(t.name) missing")
            #expect(row["name"] == t.name && row["block_size"] == String(t.blockSize) && row["bytes_per_block"] == String(t.bytesPerBlock))
        }
        let ft = try store.rows(table: "ftypes").compactMap { $0["name"] }
        for f in ["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0", "Q3_K_M", "Q2_K", "IQ4_XS"] { #expect(ft.contains(f)) }
    }

    @Test func every_row_cites_a_source_and_tokenizers_exist() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        for table in Schema.tables {
            for row in try store.rows(table: table) { #expect(!(row["source"] ?? "").isEmpty, "\(table) \(row["id"] ?? "?")") }
        }
        let tokenizers = Set(try store.rows(table: "tokenizers").compactMap { $0["id"] })
        for m in try store.models() {
            #expect(tokenizers.contains(m.tokenizerID), "\(m.id): tokenizer \(m.tokenizerID)")
            #expect(m.nHead % max(1, m.nHeadKV) == 0, "\(m.id): KV heads must divide heads")
        }
    }

    @Test func catalog_parameter_counts_match_published_sizes() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Parameters counted from the shapes against the model card's figure; Gemma 3 4B–27B cards include
        // a ~0.4 B vision tower, so allow 6 %.
        for m in try store.models() {
            // Rows whose GGUF carries output.weight although config.json ties it (the Qwen2.5-Coder 0.5B/1.5B release):
            // the card counts the shared matrix once.
            let duplicatedHead = m.source.contains("carries a separate output.weight")
            let counted = Double(m.tensors(ftype: .f16).filter { !(duplicatedHead && $0.name == "output.weight") }
                .reduce(Int64(0)) { $0 + $1.elements }) / 1e9
            let tolerance = m.family.hasPrefix("gemma") ? 0.06 : 0.03
            #expect(abs(counted - m.paramsTotalB) / m.paramsTotalB < tolerance, "\(m.id): \(counted) B vs \(m.paramsTotalB) B")
        }
    }

    @Test func names_resolve_with_suggestions() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = try store.models().map { ($0.id, $0.aliases + [$0.hfRepo]) }
        #expect(NameMatcher.resolve("llama3.1:70b", candidates: models) == .found("llama-3.1-70b"))
        #expect(NameMatcher.resolve("meta-llama/Llama-3.1-70B-Instruct", candidates: models) == .found("llama-3.1-70b"))
        guard case .notFound(let s) = NameMatcher.resolve("llama-3.1-9b", candidates: models) else {
            Issue.record("a typo must not resolve"); return
        }
        #expect(s.contains("llama-3.1-8b"))
    }
}

@Suite struct DatabaseSafetyTests {
    @Test func corrupt_file_is_refused_and_left_unchanged() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("catalog.sqlite").path
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: CatalogError.self) { _ = try CatalogStore(path: path) }
        do { _ = try CatalogStore(path: path) } catch let e as CatalogError {
            #expect(e.exitCode == 2)
            guard case .corrupt = e else { Issue.record("expected corrupt, got \(e)"); return }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func truncated_sqlite_file_is_refused_and_left_unchanged() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try Data(contentsOf: URL(fileURLWithPath: store.path))
        let path = dir.appendingPathComponent("truncated.sqlite").path
        let cut = full.prefix(full.count / 3)
        try cut.write(to: URL(fileURLWithPath: path))
        #expect(throws: CatalogError.self) { _ = try CatalogStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == cut)
    }

    @Test func unwritable_location_is_an_environment_error() throws {
        // A folder cannot be created below a regular file, even by root.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try CatalogStore(path: file.appendingPathComponent("sub/catalog.sqlite").path)
            Issue.record("opening below a file must fail")
        } catch let e as CatalogError {
            #expect(e.exitCode == 3)
        }
    }

    @Test func reopening_keeps_rows_and_measurements() throws {
        let (store, dir) = try freshCatalog()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.recordMeasurement(kind: "cpu-triad-bandwidth", subject: "cpu", machine: "m", value: 21.5, unit: "GB/s",
                                    measuredAt: "2026-11-29T00:00:00Z", source: "test")
        let again = try CatalogStore(path: store.path)
        #expect(try again.latestMeasurement(kind: "cpu-triad-bandwidth", subject: "cpu")?.value == 21.5)
        #expect(try again.models().count == (try store.models().count))
    }
}
