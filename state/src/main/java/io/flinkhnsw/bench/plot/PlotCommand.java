package io.flinkhnsw.bench.plot;

import io.flinkhnsw.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code plot}: draws the JSON result lines of {@code bench} and the hnswlib driver as one
 * recall/QPS chart ({@link RecallQpsPlot}); each input file is one run.
 */
@Command(name = "plot", description = "draw bench result lines (JSON, one file per run) as recall@k against QPS in SVG",
        mixinStandardHelpOptions = true, showDefaultValues = true)
public final class PlotCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE.svg", description = "the SVG file to write")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "RESULTS.jsonl", description = "bench output files; - reads standard input")
    List<String> inputs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        for (String in : inputs) {
            if (in.equals("-")) {
                runs.add(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList());
            } else if (Files.isRegularFile(Path.of(in))) {
                runs.add(Files.readAllLines(Path.of(in), StandardCharsets.UTF_8));
            } else {
                throw new IllegalArgumentException("no such file: " + in);
            }
        }
        RecallQpsPlot.fromJsonLines(runs).writeSvg(out);
        spec.commandLine().getErr().println("plot: wrote " + out);
        return Cli.OK;
    }
}
