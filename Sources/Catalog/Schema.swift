import Foundation
import GRDB

/// The catalog's schema: named migrations that only ever grow (CONVENTIONS, GRDB).
///
/// Every table has `origin` ('bundled' rows come from catalog/*.csv and are replaced on upgrade; 'user' rows
/// are the user's own and are never touched by an upgrade) and `source` (where the facts were read).
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "quant_types") { t in
                t.primaryKey("id", .integer)
                t.column("name", .text).notNull().unique()
                t.column("block_size", .integer).notNull()
                t.column("bytes_per_block", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("source", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "ftypes") { t in
                t.primaryKey("id", .integer)
                t.column("name", .text).notNull().unique()
                t.column("default_type", .text).notNull()
                t.column("rules", .text).notNull()
                t.column("source", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "tokenizers") { t in
                t.primaryKey("id", .text)
                t.column("vocab_type", .text).notNull()
                t.column("n_tokens", .integer).notNull()
                t.column("bos_id", .integer)
                t.column("eos_id", .integer)
                t.column("add_bos", .boolean).notNull()
                t.column("add_eos", .boolean).notNull()
                t.column("pre_tokenizer", .text).notNull()
                t.column("members", .text).notNull()
                t.column("source", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "models") { t in
                t.primaryKey("id", .text)
                t.column("family", .text).notNull()
                t.column("name", .text).notNull()
                t.column("aliases", .text).notNull()
                t.column("architecture", .text).notNull()
                t.column("params_total_b", .double).notNull()
                t.column("params_active_b", .double).notNull()
                for c in ["n_layer", "n_embd", "n_head", "n_head_kv", "head_dim_k", "head_dim_v", "n_ff", "vocab_size"] {
                    t.column(c, .integer).notNull()
                }
                t.column("tokenizer_id", .text).notNull()
                t.column("n_ctx_train", .integer).notNull()
                for c in ["sliding_window", "swa_period", "n_expert", "n_expert_used", "n_expert_shared", "n_ff_expert",
                          "n_layer_dense_lead", "q_lora_rank", "kv_lora_rank", "rope_head_dim", "key_length_mla", "value_length_mla"] {
                    t.column(c, .integer).notNull().defaults(to: 0)
                }
                t.column("tied_embeddings", .boolean).notNull()
                t.column("hf_repo", .text).notNull()
                t.column("source", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "gpus") { t in
                t.primaryKey("id", .text)
                t.column("vendor", .text).notNull()
                t.column("name", .text).notNull()
                t.column("aliases", .text).notNull()
                for c in ["pci_vendor_id", "pci_device_id", "pci_subsys_vendor_id", "pci_subsys_device_id", "pci_revisions"] {
                    t.column(c, .text).notNull().defaults(to: "")
                }
                t.column("variant", .text).notNull()
                t.column("vram_mib", .integer)        // NULL: depends on the host (iGPU rows)
                t.column("memory_type", .text).notNull()
                t.column("bus_width_bits", .integer)
                t.column("data_rate_gbps", .double)
                t.column("bandwidth_gbps", .double)   // NULL: the host's RAM bandwidth (iGPU rows)
                t.column("fp16_tflops", .double)
                t.column("bf16_tflops", .double)
                t.column("board_power_w", .double)
                t.column("unified_memory", .boolean).notNull()
                t.column("gpu_working_set_mib", .integer)
                t.column("backend", .text).notNull()
                t.column("tie_break", .text).notNull().defaults(to: "")
                t.column("source", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(index: "gpus_pci", on: "gpus", columns: ["pci_vendor_id", "pci_device_id"])
            try db.create(table: "acceptance") { t in
                t.primaryKey("id", .text)
                t.column("relation", .text).notNull()
                t.column("task", .text).notNull()
                t.column("target", .text).notNull()
                t.column("draft", .text).notNull()
                t.column("metric", .text).notNull()
                t.column("value", .double).notNull()
                t.column("value_low", .double)
                t.column("value_high", .double)
                t.column("gamma", .integer)
                t.column("speedup", .double)
                t.column("hardware", .text).notNull()
                t.column("source", .text).notNull()
                t.column("notes", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "pairs") { t in
                t.primaryKey("id", .text)
                t.column("target", .text).notNull()
                t.column("draft", .text).notNull()
                t.column("relation", .text).notNull()
                t.column("tasks", .text).notNull()
                t.column("source", .text).notNull()
                t.column("notes", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "prices") { t in
                t.primaryKey("id", .text)
                t.column("gpu_id", .text).notNull()
                t.column("price", .double).notNull()
                t.column("currency", .text).notNull()
                t.column("kind", .text).notNull()         // launch_msrp, system_price, reported_price
                t.column("date", .text).notNull()
                t.column("source", .text).notNull()
                t.column("notes", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "cloud_prices") { t in
                t.primaryKey("id", .text)
                t.column("provider", .text).notNull()
                t.column("model_id", .text).notNull()
                t.column("model_name", .text).notNull()
                t.column("input_per_mtok", .double).notNull()
                t.column("output_per_mtok", .double).notNull()
                t.column("currency", .text).notNull()
                t.column("date", .text).notNull()
                t.column("source", .text).notNull()
                t.column("notes", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "errors") { t in
                t.primaryKey("id", .text)
                t.column("symptom", .text).notNull()
                t.column("cause", .text).notNull()
                t.column("how_to_tell", .text).notNull()
                t.column("fix", .text).notNull()
                t.column("check", .text).notNull()
                t.column("source", .text).notNull()
                t.column("date", .text).notNull()
                t.column("origin", .text).notNull().defaults(to: "bundled")
            }
            try db.create(table: "measurements") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()          // "cpu-triad-bandwidth", "decode", "acceptance" …
                t.column("subject", .text).notNull()       // what was measured: CPU model, model pair …
                t.column("machine", .text).notNull()       // host description
                t.column("value", .double).notNull()
                t.column("unit", .text).notNull()
                t.column("measured_at", .text).notNull()   // ISO-8601
                t.column("details", .text).notNull().defaults(to: "{}") // JSON
                t.column("source", .text).notNull()        // "specfit probe 0.1", "specfit bench" …
            }
            try db.create(table: "catalog_meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        return m
    }

    /// Column order of each bundled table, the CSV header plus nothing else.
    static let tables = ["quant_types", "ftypes", "tokenizers", "models", "gpus", "acceptance", "pairs", "prices", "cloud_prices", "errors"]

    /// Text columns where an empty CSV field is stored as an empty string (a list with no entries, no PCI id,
    /// no notes); in every other column an empty field is NULL, which a NOT NULL column refuses.
    static let emptyAllowed: Set<String> = [
        "aliases", "tie_break", "notes", "hardware", "pre_tokenizer", "members", "hf_repo", "pci_vendor_id", "pci_device_id",
        "pci_subsys_vendor_id", "pci_subsys_device_id", "pci_revisions", "draft", "target", "memory_type", "tasks",
        "model_id", "model_name",
    ]

    /// One column of a catalog table as the migrations declare it.
    struct Column: Sendable, Equatable {
        enum Kind: Sendable { case integer, double, boolean, text }
        var name: String
        var kind: Kind
        var notNull: Bool
    }

    /// The columns of every catalog table except `origin`, read from an in-memory database built by the same
    /// migrations, so that checks on CSV rows follow the schema instead of a second copy of it.
    static let columns: [String: [Column]] = {
        var out: [String: [Column]] = [:]
        guard let q = try? DatabaseQueue() else { return out }
        try? migrator.migrate(q)
        try? q.read { db in
            for t in tables {
                out[t] = try db.columns(in: t).filter { $0.name != "origin" }.map { c in
                    let kind: Column.Kind = switch c.type.uppercased() {
                    case "INTEGER": .integer
                    case "DOUBLE", "REAL", "NUMERIC": .double
                    case "BOOLEAN": .boolean
                    default: .text
                    }
                    // The primary key is NOT NULL in effect even where SQLite's table_info says otherwise.
                    return Column(name: c.name, kind: kind, notNull: c.isNotNull || c.name == "id")
                }
            }
        }
        return out
    }()
}
