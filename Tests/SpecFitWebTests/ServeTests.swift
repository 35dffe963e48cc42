import Foundation
import Testing

// Every page and every API route of a real `specfit serve` on a free loopback port: status, content, and
// at least one bad input each. The server answers for the recorded 64 GiB host (data/fixtures/machines).

@Suite(.liveServer) struct ServeTests {
    @Suite struct Pages {
        @Test func home_links_every_page_and_names_the_machine() throws {
            let s = try server()
            let r = try s.get("/")
            #expect(r.status == 200)
            #expect(r.header("content-type") == "text/html; charset=utf-8")
            for path in ["/probe", "/fit", "/compare", "/choose-gpu", "/cost", "/recommend", "/catalog"] {
                #expect(r.body.contains("href=\"\(path)\""), "home links \(path)")
            }
            #expect(r.body.contains("AMD Ryzen 9 7950X"))
            #expect(try s.get("/?x=1").status == 400)
        }

        @Test func probe_page_shows_the_recorded_machine_and_downloads_it() throws {
            let s = try server()
            let r = try s.get("/probe")
            #expect(r.status == 200)
            #expect(r.body.contains("AMD Ryzen 9 7950X 16-Core Processor") && r.body.contains("64.00 GiB total"))
            let json = try s.get("/probe?format=json")
            #expect(json.status == 200)
            #expect(json.header("content-disposition") == "attachment; filename=\"specfit-probe.json\"")
            #expect(json.body == (try s.get("/api/probe")).body)
            let md = try s.get("/probe?format=md")
            #expect(md.header("content-type")?.hasPrefix("text/markdown") == true)
            #expect(md.body.hasPrefix("# SpecFit report") && md.body.contains("| CPU | AMD Ryzen 9 7950X"))
            let bad = try s.get("/probe?format=pdf")
            #expect(bad.status == 422)
            #expect(bad.body.contains("format: &#39;pdf&#39; is not one of md, html, json"))
        }

        @Test func fit_form_is_empty_until_a_target_is_given() throws {
            let r = try server().get("/fit")
            #expect(r.status == 200)
            #expect(r.body.contains("<form method=\"get\" action=\"/fit\""))
            #expect(r.body.contains("name=\"target\"") && r.body.contains("<datalist id=\"models\">"))
            #expect(!r.body.contains("class=\"verdict"))
        }

        @Test func fit_page_gives_verdict_chart_commands_and_links() throws {
            let s = try server()
            let q = "target=llama-3.1-70b&draft=llama-3.2-1b&gpu=rtx-4090&ctx=8192"
            let r = try s.get("/fit?" + q)
            #expect(r.status == 200)
            // README: this pair on one RTX 4090 of the recorded host is a partial offload, 40/80 layers on the card.
            #expect(r.body.contains("PARTIAL OFFLOAD — llama-3.1-70b Q4_K_M + draft llama-3.2-1b Q4_K_M: 40/80 target layers"))
            #expect(r.body.contains("class=\"chart memory-chart\"") && r.body.contains("class=\"chart gamma-chart\""))
            #expect(r.body.contains("llama-server -m llama-3.1-70b-Q4_K_M.gguf -md llama-3.2-1b-Q4_K_M.gguf"))
            #expect(r.body.contains("Pair check"))
            #expect(r.body.contains("href=\"/fit?\(q.replacingOccurrences(of: "&", with: "&amp;"))\">Permalink"))
            #expect(r.body.contains("/api/fit?\(q.replacingOccurrences(of: "&", with: "&amp;"))"))
            #expect(r.body.contains("specfit fit llama-3.1-70b --draft llama-3.2-1b --gpu rtx-4090 --ctx 8192 --machine \(LiveServer.machineFile)"))
            // The form comes back filled in.
            #expect(r.body.contains("name=\"target\" value=\"llama-3.1-70b\""))
        }

        @Test func fit_downloads_are_the_report_files() throws {
            let s = try server()
            let q = "/fit?target=llama-3.1-8b&draft=llama-3.2-1b&gpu=2x+rtx-3090"
            let md = try s.get(q + "&format=md")
            #expect(md.status == 200)
            #expect(md.header("content-disposition") == "attachment; filename=\"specfit-fit-llama-3.1-8b-llama-3.2-1b.md\"")
            #expect(md.body.contains("## llama-3.1-8b + llama-3.2-1b — all on GPU") && md.body.contains("specfit fit llama-3.1-8b"))
            let html = try s.get(q + "&format=html")
            #expect(html.body.contains("<title>SpecFit report</title>") && html.body.contains("<svg"))
            #expect(html.body.contains("Pair check"))
            let json = try s.get(q + "&format=json")
            #expect(json.body == (try s.get(q.replacingOccurrences(of: "/fit?", with: "/api/fit?"))).body)
        }

        @Test func fit_page_errors_keep_the_form_and_offer_candidates() throws {
            let s = try server()
            let unknown = try s.get("/fit?target=llama-3.1-9b&draft=llama-3.2-1b")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("unknown model &#39;llama-3.1-9b&#39;"))
            #expect(unknown.body.contains("href=\"/fit?target=llama-3.1-8b&amp;draft=llama-3.2-1b\">llama-3.1-8b</a>"))
            #expect(unknown.body.contains("name=\"target\" value=\"llama-3.1-9b\""))
            let notNumber = try s.get("/fit?target=llama-3.1-8b&ctx=abc")
            #expect(notNumber.status == 400)
            #expect(notNumber.body.contains("ctx: &#39;abc&#39; is not a whole number") && notNumber.body.contains("value=\"abc\""))
            #expect(try s.get("/fit?target=llama-3.1-8b&ctx=100").status == 422)
        }

        @Test func compare_page_ranks_the_cards() throws {
            let s = try server()
            let r = try s.get("/compare?gpu=rtx-4090&gpu=rx-7900-xtx&gpu=2x+rtx-3090&target=llama-3.1-70b&draft=llama-3.2-1b")
            #expect(r.status == 200)
            #expect(r.body.contains("class=\"chart comparison-chart\""))
            // README: two RTX 3090s hold the 70B pair on GPU, one RTX 4090 or RX 7900 XTX offloads.
            #expect(r.body.contains("Overall: <strong>2x rtx-3090</strong>"))
            #expect(r.body.contains("specfit compare rtx-4090 rx-7900-xtx &#39;2x rtx-3090&#39; --target llama-3.1-70b --draft llama-3.2-1b"))
            let md = try s.get("/compare?gpu=rtx-4090&gpu=rx-7900-xtx&target=llama-3.1-8b&format=md")
            #expect(md.body.contains("## GPU comparison"))
            let one = try s.get("/compare?gpu=rtx-4090&target=llama-3.1-8b")
            #expect(one.status == 400)
            #expect(one.body.contains("give at least two GPUs"))
        }

        @Test func choose_gpu_page_lists_priced_cards() throws {
            let s = try server()
            let r = try s.get("/choose-gpu?target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b&ctx=16384&vendor=nvidia&vendor=amd&top=5")
            #expect(r.status == 200)
            // README: the cheapest for this pair at n_ctx 16384 among NVIDIA and AMD cards is two RX 9060 XT 16 GB at $698.
            #expect(r.body.contains("2× rx-9060-xt-16gb") && r.body.contains("$698"))
            let md = try s.get("/choose-gpu?target=qwen2.5-coder-32b&top=3&format=md")
            #expect(md.body.hasPrefix("# Cards for qwen2.5-coder-32b") && md.body.contains("| # | cards |"))
            let bad = try s.get("/choose-gpu?target=qwen2.5-coder-32b&vendor=matrox")
            #expect(bad.status == 422)
            #expect(bad.body.contains("vendor: &#39;matrox&#39; is not one of nvidia, amd, intel, apple"))
        }

        @Test func cost_page_gives_price_per_million_tokens_and_break_even() throws {
            let s = try server()
            let r = try s.get("/cost?target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b&gpu=rtx-4090&cloud-price-per-mtok=0.8")
            #expect(r.status == 200)
            // README's `specfit cost` example: $1.11 local against $0.80, break-even 5.0 million tokens a day.
            #expect(r.body.contains("<strong>$1.11</strong>") && r.body.contains("Break-even: 5.0 million tokens a day"))
            let html = try s.get("/cost?target=qwen2.5-coder-32b&gpu=rtx-4090&format=html")
            #expect(html.header("content-disposition") == "attachment; filename=\"specfit-cost-qwen2.5-coder-32b.html\"")
            #expect(html.body.contains("Assumptions") && !html.body.contains("<form"))
            let bad = try s.get("/cost?target=qwen2.5-coder-32b&hours-per-day=25")
            #expect(bad.status == 422)
            #expect(bad.body.contains("hours-per-day: 25 is out of range"))
        }

        @Test func recommend_page_ranks_combinations() throws {
            let s = try server()
            let r = try s.get("/recommend?gpu=rtx-4090&task=code-completion&top=3")
            #expect(r.status == 200)
            // Every catalog model × quant is evaluated (the count grows with the catalog).
            #expect(r.body.range(of: #"[0-9]{3,} combinations evaluated"#, options: .regularExpression) != nil)
            #expect(r.body.contains("<td class=\"num\">1</td><td>≥ 100 B · Q4–Q5</td><td>gpt-oss-120b</td><td>IQ4_XS</td>"))
            #expect(r.body.contains("href=\"/fit?target=gpt-oss-120b&amp;gpu=rtx-4090&amp;quant=IQ4_XS&amp;task=code-completion\""))
            let bad = try s.get("/recommend?top=0")
            #expect(bad.status == 422)
        }

        @Test(arguments: [
            ("/catalog", "llama-3.1-8b"),
            ("/catalog?table=gpus", "rtx-4090"),
            ("/catalog?q=coder", "qwen2.5-coder-32b"),
            ("/catalog?name=rtx-4090", "TechPowerUp"),
        ])
        func catalog_page_lists_searches_and_shows(path: String, expected: String) throws {
            let r = try server().get(path)
            #expect(r.status == 200)
            #expect(r.body.contains(expected))
        }

        @Test func catalog_page_bad_inputs() throws {
            let s = try server()
            let table = try s.get("/catalog?table=nope")
            #expect(table.status == 404)
            #expect(table.body.contains("unknown table &#39;nope&#39;"))
            let name = try s.get("/catalog?name=rtx-4091")
            #expect(name.status == 404)
            #expect(name.body.contains("href=\"/catalog?name=rtx-4090\">rtx-4090</a>"))
            #expect(try s.get("/catalog?table=gpus&q=rtx").status == 400)
            let md = try s.get("/catalog?table=pairs&format=md")
            #expect(md.body.hasPrefix("# Catalog table pairs"))
        }
    }

    @Suite struct API {
        @Test func health_and_probe() throws {
            let s = try server()
            let h = try s.get("/api/health")
            #expect(h.status == 200)
            #expect(h.header("content-type") == "application/json; charset=utf-8")
            #expect(h.object["status"] as? String == "ok" && h.object["allowWrite"] as? Bool == false)
            #expect(try s.get("/api/health?verbose=1").status == 400)
            let p = try s.get("/api/probe")
            #expect(p.status == 200)
            #expect((p.object["cpu"] as? [String: Any])?["model"] as? String == "AMD Ryzen 9 7950X 16-Core Processor")
            let bad = try s.get("/api/probe?root=/")
            #expect(bad.status == 400)
            #expect(bad.object["error"] as? String == "unknown parameter 'root'; this address takes none")
        }

        /// The API and the command line give the same document, byte for byte: with every default, and with options.
        @Test(arguments: [
            (["llama-3.1-8b"], "target=llama-3.1-8b"),
            (["llama-3.1-70b", "--draft", "llama-3.2-1b", "--gpu", "rtx-4090", "--ctx", "8192", "--ctk", "q8_0", "--task", "code-completion"],
             "target=llama-3.1-70b&draft=llama-3.2-1b&gpu=rtx-4090&ctx=8192&ctk=q8_0&task=code-completion"),
        ])
        func fit_json_equals_the_command_line(args: [String], query: String) throws {
            let s = try server()
            let cli = try s.cli(["fit"] + args + ["--json", "--machine", LiveServer.machineFile])
            #expect(cli.code == 0, "\(cli.err)")
            let api = try s.get("/api/fit?" + query)
            #expect(api.status == 200)
            #expect(api.body == cli.out)
        }

        @Test func fit_bad_inputs() throws {
            let s = try server()
            let missing = try s.get("/api/fit?draft=llama-3.2-1b")
            #expect(missing.status == 400)
            let unknown = try s.get("/api/fit?target=llama-3.1-9b")
            #expect(unknown.status == 404)
            #expect((unknown.object["candidates"] as? [String])?.first == "llama-3.1-8b")
            let quant = try s.get("/api/fit?target=llama-3.1-8b&quant=Q9_K")
            #expect(quant.status == 422)
            #expect((quant.object["error"] as? String)?.hasPrefix("quant: 'Q9_K' is not one of F16, BF16") == true)
            #expect(try s.get("/api/fit?target=llama-3.1-8b&ctx=20000000").status == 422)
            #expect(try s.get("/api/fit?target=llama-3.1-8b&ctx=1&ctx=2").status == 400)
            // A name that reads as a flag never reaches the command's parser; a file path is never opened.
            #expect(try s.get("/api/fit?target=--machine%3D%2Fetc%2Fpasswd").status == 400)
            #expect(try s.get("/api/fit?target=%2Ftmp%2Fx.gguf").status == 422)
            let file = try s.get("/api/fit?target=data%2Ffixtures%2Fmachines%2Fhost-64gib.json")
            #expect(file.status == 422)
            #expect((file.object["error"] as? String)?.contains("names a file on the server") == true)
        }

        @Test func compare() throws {
            let s = try server()
            let r = try s.get("/api/compare?gpu=rtx-4090&gpu=rx-7900-xtx&target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b")
            #expect(r.status == 200)
            #expect((r.object["cards"] as? [Any])?.count == 2)
            #expect(r.object["overallWinner"] as? String == "rtx-4090")
            let cli = try s.cli(["compare", "rtx-4090", "rx-7900-xtx", "--target", "qwen2.5-coder-32b", "--draft", "qwen2.5-coder-0.5b",
                                 "--json", "--machine", LiveServer.machineFile])
            #expect(r.body == cli.out)
            let twice = try s.get("/api/compare?gpu=rtx-4090&gpu=RTX-4090")
            #expect(twice.status == 422)
        }

        @Test func choose_gpu() throws {
            let s = try server()
            let r = try s.get("/api/choose-gpu?target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b&ctx=16384&vendor=nvidia&vendor=amd&top=5")
            #expect(r.status == 200)
            let first = (r.object["choices"] as? [[String: Any]])?.first
            #expect(first?["gpuID"] as? String == "rx-9060-xt-16gb" && first?["count"] as? Int == 2)
            #expect(r.object["nCtx"] as? Int == 16384)
            #expect(try s.get("/api/choose-gpu?target=qwen2.5-coder-32b&budget=0").status == 422)
        }

        @Test func cost() throws {
            let s = try server()
            let r = try s.get("/api/cost?target=qwen2.5-coder-32b&draft=qwen2.5-coder-0.5b&gpu=rtx-4090&cloud-price-per-mtok=0.8")
            #expect(r.status == 200)
            let local = try #require(r.object["localPerMTok"] as? Double)
            #expect(abs(local - 1.11) < 0.005)
            let cli = try s.cli(["cost", "qwen2.5-coder-32b", "--draft", "qwen2.5-coder-0.5b", "--gpu", "rtx-4090", "--cloud-price-per-mtok", "0.8",
                                 "--json", "--machine", LiveServer.machineFile])
            #expect(r.body == cli.out)
            #expect(try s.get("/api/cost?target=qwen2.5-coder-32b&kwh-price=-1").status == 422)
            #expect(try s.get("/api/cost?target=qwen2.5-coder-32b&kwh-price=cheap").status == 400)
        }

        @Test func recommend() throws {
            let s = try server()
            let r = try s.get("/api/recommend?gpu=rtx-4090&top=2")
            #expect(r.status == 200)
            #expect((r.object["evaluated"] as? Int ?? 0) >= 300)
            #expect((r.object["ranked"] as? [Any])?.count == 2)
            let bad = try s.get("/api/recommend?task=poetry")
            #expect(bad.status == 422)
            #expect((bad.object["error"] as? String)?.contains("code-completion, code-edit, chat") == true)
        }

        @Test func catalog_routes() throws {
            let s = try server()
            let tables = try s.get("/api/catalog/tables")
            #expect(tables.status == 200)
            let counts = (tables.json as? [[String: Any]]) ?? []
            #expect(counts.contains { $0["table"] as? String == "models" && ($0["rows"] as? Int ?? 0) > 0 })
            #expect(try s.get("/api/catalog/tables?table=models").status == 400)

            let list = try s.get("/api/catalog/list?table=gpus")
            #expect(list.status == 200)
            #expect(((list.json as? [[String: String]]) ?? []).contains { $0["id"] == "rtx-4090" })
            #expect(list.body == (try s.cli(["catalog", "list", "gpus", "--json"])).out)
            #expect(try s.get("/api/catalog/list").status == 400)
            #expect(try s.get("/api/catalog/list?table=nope").status == 404)

            let search = try s.get("/api/catalog/search?q=coder")
            #expect(search.status == 200)
            #expect(search.body == (try s.cli(["catalog", "search", "coder", "--json"])).out)
            #expect(try s.get("/api/catalog/search").status == 400)

            let show = try s.get("/api/catalog/show?name=RTX+4090")
            #expect(show.status == 200)
            #expect(show.object["table"] as? String == "gpus" && show.object["id"] as? String == "rtx-4090")
            #expect(show.body == (try s.cli(["catalog", "show", "RTX 4090", "--json"])).out)
            let unknown = try s.get("/api/catalog/show?name=rtx-4091")
            #expect(unknown.status == 404)
            #expect((unknown.object["candidates"] as? [String])?.contains("rtx-4090") == true)
        }
    }

    @Suite struct Guards {
        @Test func unknown_addresses_are_404_in_their_own_format() throws {
            let s = try server()
            let page = try s.get("/nope")
            #expect(page.status == 404 && page.header("content-type") == "text/html; charset=utf-8")
            let api = try s.get("/api/nope")
            #expect(api.status == 404)
            #expect((api.object["error"] as? String)?.hasPrefix("no page or endpoint at /api/nope") == true)
        }

        @Test func writes_are_refused_without_allow_write() throws {
            let r = try server().request("POST", "/api/fit?target=llama-3.1-8b", body: "{}")
            #expect(r.status == 403)
            #expect((r.object["error"] as? String)?.contains("start it with --allow-write") == true)
            #expect(try server().request("DELETE", "/catalog").status == 403)
            let trace = try server().request("OPTIONS", "/api/fit")
            #expect(trace.status == 405 && trace.header("allow") == "GET, HEAD")
        }

        @Test func a_foreign_host_header_is_refused() throws {
            let s = try server()
            let r = try s.request("GET", "/api/health", host: "attacker.example:8080")
            #expect(r.status == 403)
            #expect(try s.request("GET", "/api/health", host: "localhost:\(s.port)").status == 200)
            #expect(try s.request("GET", "/api/health", host: "[::1]:\(s.port)").status == 200)
        }

        @Test(arguments: [
            "/api/fit?target=" + String(repeating: "a", count: 201),
            "/api/fit?target=llama%zz",
            "/api/fit?target=llama%01",
            "/api/fit?target=llama-3.1-8b&" + String(repeating: "x", count: 4100),
            "/fit?target=llama-3.1-8b&gpu=a&gpu=b&gpu=c&gpu=d&gpu=e&gpu=f&gpu=g&gpu=h&gpu=i",
        ])
        func malformed_queries_are_400(path: String) throws {
            #expect(try server().get(path).status == 400)
        }

        @Test func head_and_security_headers() throws {
            let s = try server()
            let head = try s.request("HEAD", "/fit")
            #expect(head.status == 200 && head.body.isEmpty)
            let r = try s.get("/fit")
            #expect(r.header("content-security-policy")?.contains("default-src 'none'") == true)
            #expect(r.header("x-content-type-options") == "nosniff")
            // Offline: the page loads nothing from elsewhere and runs no script.
            #expect(!r.body.contains("<script") && !r.body.contains("src=\"http"))
        }
    }

    @Test func a_second_server_with_allow_write_answers_405_and_a_taken_port_exits_3() throws {
        let s = try server()
        let writable = try LiveServer(extra: ["--allow-write"])
        defer { writable.stop() }
        let r = try writable.request("POST", "/api/fit", body: "{}")
        #expect(r.status == 405)
        #expect((try writable.get("/api/health")).object["allowWrite"] as? Bool == true)
        let taken = try s.cli(["serve", "--port", String(s.port), "--machine", LiveServer.machineFile])
        #expect(taken.code == 3)
        #expect(taken.err.contains("cannot serve on 127.0.0.1 port \(s.port)"))
    }
}

@Suite struct ServeCommandLineTests {
    @Test(arguments: ["0.0.0.0", "192.168.1.10", "::"])
    func a_non_loopback_host_needs_allow_remote(host: String) throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-web-\(UUID().uuidString)/catalog.sqlite").path
        let r = try LiveServer.run(["serve", "--host", host, "--port", "0"], db: db)
        #expect(r.code == 1)
        #expect(r.err == "specfit: --host \(host) is reachable from other machines; serve on 127.0.0.1 (the default), or add --allow-remote if you mean it\n")
    }

    @Test func a_bad_port_is_a_usage_error() throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-web-\(UUID().uuidString)/catalog.sqlite").path
        let r = try LiveServer.run(["serve", "--port", "70000"], db: db)
        #expect(r.code == 1)
        #expect(r.err.contains("--port 70000: give 0…65535"))
    }
}
