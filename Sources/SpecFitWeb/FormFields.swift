import Foundation

/// Small HTML builders for the forms: every value is escaped here, so templates take their output raw.
enum HTML {
    static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(c)
            }
        }
        return o
    }

    /// A labelled text field; `list` names a `<datalist>` of suggestions.
    static func text(_ name: String, _ label: String, value: String?, list: String? = nil, placeholder: String = "",
                     required: Bool = false, hint: String? = nil) -> String {
        field(label, hint: hint, input: "<input type=\"text\" name=\"\(name)\" value=\"\(esc(value ?? ""))\"" +
              (list.map { " list=\"\($0)\"" } ?? "") + (placeholder.isEmpty ? "" : " placeholder=\"\(esc(placeholder))\"") +
              " maxlength=\"\(Query.maxValueLength)\" autocomplete=\"off\"" + (required ? " required=\"required\"" : "") + "/>")
    }

    /// A labelled number field.
    static func number(_ name: String, _ label: String, value: String?, min: String, max: String, step: String = "1",
                       placeholder: String = "", hint: String? = nil) -> String {
        field(label, hint: hint, input: "<input type=\"number\" name=\"\(name)\" value=\"\(esc(value ?? ""))\" min=\"\(min)\" max=\"\(max)\" step=\"\(step)\"" +
              (placeholder.isEmpty ? "" : " placeholder=\"\(esc(placeholder))\"") + "/>")
    }

    /// A labelled drop-down; `choices` are (value, label) pairs.
    static func select(_ name: String, _ label: String, value: String, choices: [(String, String)], hint: String? = nil) -> String {
        let options = choices.map { v, l in
            "<option value=\"\(esc(v))\"\(v == value ? " selected=\"selected\"" : "")>\(esc(l))</option>"
        }.joined()
        return field(label, hint: hint, input: "<select name=\"\(name)\">\(options)</select>")
    }

    static func select(_ name: String, _ label: String, value: String, choices: [String], hint: String? = nil) -> String {
        select(name, label, value: value, choices: choices.map { ($0, $0) }, hint: hint)
    }

    static func checkbox(_ name: String, _ label: String, checked: Bool, value: String = "on") -> String {
        "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"\(esc(value))\"\(checked ? " checked=\"checked\"" : "")/> \(esc(label))</label>"
    }

    static func field(_ label: String, hint: String?, input: String) -> String {
        "<label class=\"field\"><span>\(esc(label))</span>\(input)" + (hint.map { "<small>\(esc($0))</small>" } ?? "") + "</label>"
    }

    static func datalist(_ id: String, _ values: [String]) -> String {
        "<datalist id=\"\(id)\">" + values.map { "<option value=\"\(esc($0))\"></option>" }.joined() + "</datalist>"
    }

    /// A GET form: its URL is the permalink.
    static func form(action: String, submit: String, _ parts: [String]) -> String {
        "<form method=\"get\" action=\"\(action)\" class=\"query\">" + parts.joined(separator: "\n") +
        "<div class=\"actions\"><button type=\"submit\">\(esc(submit))</button></div></form>"
    }

    static func grid(_ fields: [String]) -> String { "<div class=\"grid\">" + fields.joined() + "</div>" }

    /// The options a run shares, the common ones in view and the rest folded away (open when one is set).
    static func runFields(_ v: FormValues, draft: Bool = true) -> String {
        let d = RunInputs()
        let common = [
            select("quant", "Quant (target)", value: v.one("quant") ?? d.quant, choices: RunInputs.quants),
            draft ? select("draft-quant", "Quant (draft)", value: v.one("draft-quant") ?? d.draftQuant, choices: RunInputs.quants) : "",
            number("ctx", "Context (n_ctx)", value: v.one("ctx") ?? String(d.ctx), min: "\(RunInputs.ctxRange.lowerBound)",
                   max: "\(RunInputs.ctxRange.upperBound)"),
            select("task", "Task (acceptance prior)", value: v.one("task") ?? d.task, choices: RunInputs.tasks),
        ]
        let more = [
            select("runtime", "Runtime", value: v.one("runtime") ?? d.runtime, choices: RunInputs.runtimes),
            select("ctk", "KV cache K type", value: v.one("ctk") ?? d.ctk, choices: RunInputs.kvTypes),
            select("ctv", "KV cache V type", value: v.one("ctv") ?? d.ctv, choices: RunInputs.kvTypes, hint: "a quantised V needs flash attention"),
            select("flash-attn", "Flash attention", value: v.one("flash-attn") ?? d.flashAttn, choices: RunInputs.flashAttnChoices),
            number("parallel", "Parallel sequences (-np)", value: v.one("parallel") ?? String(d.parallel), min: "1", max: "256"),
            number("gpu-layers", "Target layers on GPU (-ngl)", value: v.one("gpu-layers"), min: "0", max: "1000", placeholder: "as many as fit"),
            number("gamma", "Draft length γ", value: v.one("gamma"), min: "1", max: "64", placeholder: "search γ*"),
            checkbox("swa-full", "Sliding-window layers keep the whole context", checked: ["on", "true", "1", "yes"].contains(v.one("swa-full")?.lowercased() ?? "")),
        ]
        let advanced = ["runtime", "ctk", "ctv", "flash-attn", "parallel", "gpu-layers", "gamma", "swa-full"].contains { v.one($0) != nil }
        return grid(common) + "<details\(advanced ? " open=\"open\"" : "")><summary>More run options</summary>" + grid(more) + "</details>"
    }
}
