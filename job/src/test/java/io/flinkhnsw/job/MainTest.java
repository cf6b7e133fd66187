package io.flinkhnsw.job;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's command line as a user meets it: every command's {@code --help} is generated, lists
 * every option with a description and shows defaults; typos are usage errors (exit 2) with a
 * suggestion; the exit codes are the documented ones.
 */
class MainTest {
    /** Exit code, stdout and stderr of {@code java -jar flink-hnsw.jar ARGS} (without the relaunch). */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new String[] {Integer.toString(cl.execute(args)), out.toString(), err.toString()};
    }

    @Test
    void everyCommandHasACompleteGeneratedHelp() {
        Map<String, CommandLine> commands = Main.commandLine().getSubcommands();
        assertThat(commands.keySet()).contains("local", "produce", "verify", "cluster-job", "bench", "state-bench",
                "plot", "jvm-flags");
        for (Map.Entry<String, CommandLine> c : commands.entrySet()) {
            if (c.getKey().equals("help")) continue;
            String[] r = run(c.getKey(), "--help");
            assertThat(r[0]).as(c.getKey()).isEqualTo("0");
            String help = r[1];
            assertThat(help).as(c.getKey()).startsWith("Usage: java -jar flink-hnsw.jar " + c.getKey());
            for (OptionSpec o : c.getValue().getCommandSpec().options()) {
                assertThat(help).as(c.getKey() + " " + o.longestName()).contains(o.longestName());
                assertThat(o.description()).as(c.getKey() + " " + o.longestName()).isNotEmpty();
            }
        }
        String local = run("local", "--help")[1];
        assertThat(local).contains("--serve").contains("--kafka-properties=FILE")
                .containsPattern("--group-id=ID\\s+consumer group[^\\n]*\\n(.*\\n)*?\\s+Default: flink-hnsw-local")
                .containsPattern("--checkpoint-interval-ms=N\\s+checkpoint interval\\s+Default: 1000");
        assertThat(run("cluster-job", "--help")[1]).containsPattern("--checkpoint-interval-ms=N\\s+checkpoint interval\\s+Default: 5000");
        assertThat(run("bench", "--help")[1]).containsPattern("--ef=EF\\[,EF\\.\\.\\.]\\s+query beam widths, one result line each\\s+Default: 10,20,40,80,160,320");
        assertThat(run("--version")[1]).startsWith("flink-hnsw 0.");
    }

    @Test
    void typosAreUsageErrorsWithSuggestions() {
        String[] unknownCommand = run("bench-mark");
        assertThat(unknownCommand[0]).isEqualTo("2");
        assertThat(unknownCommand[2]).contains("Unmatched argument at index 0: 'bench-mark'").contains("bench");
        String[] typo = run("bench", "--base", "b", "--queries", "q", "--groundtruth", "g", "--eff", "10");
        assertThat(typo[0]).isEqualTo("2");
        assertThat(typo[2]).startsWith("bench: Unknown options: '--eff', '10'").contains("Possible solutions: --ef")
                .contains("Run 'java -jar flink-hnsw.jar bench --help' for the options.");
        assertThat(run("bench", "--ef", "10")[2]).contains("Missing required options: '--base=B.fvecs', '--queries=Q.fvecs', '--groundtruth=G.ivecs'");
        assertThat(run()[0]).as("no command").isEqualTo("2");
        assertThat(run("--help")[0]).isEqualTo("0");
    }

    @Test
    void failuresAreExitCodeOneAndBadInputFilesAreUsageErrors() {
        String[] missing = run("bench", "--base", "/nonexistent/b.fvecs", "--queries", "q", "--groundtruth", "g");
        assertThat(missing[0]).isEqualTo("1");
        assertThat(missing[2]).startsWith("bench failed: ").contains("/nonexistent/b.fvecs");
        String[] plot = run("plot", "--out", "x.svg", "/nonexistent.jsonl");
        assertThat(plot[0]).isEqualTo("2");
        assertThat(plot[2]).contains("plot: no such file: /nonexistent.jsonl");
    }
}
