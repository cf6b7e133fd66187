package io.flinkhnsw.bench.plot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recall@k against queries per second (log scale), the way ann-benchmarks draws it: one curve per
 * peer and run, its points the ef values in order. Input is the JSON lines of {@code bench} and of
 * the hnswlib driver ({@code peer}, {@code recall_at_k}, {@code qps}, {@code ef}, ...); lines with
 * {@code churn_rounds} form a curve of their own ("after churn"), and lines without recall and QPS
 * (summaries) are skipped. Written as SVG by JFreeChart and JFreeSVG.
 */
public final class RecallQpsPlot {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;

    private final List<Curve> curves;
    private final String title;
    private final int k;

    /** One peer's points of one run, in ef order. */
    record Curve(String peer, boolean afterChurn, List<double[]> points) {
    }

    private RecallQpsPlot(List<Curve> curves, String title, int k) {
        this.curves = curves;
        this.title = title;
        this.k = k;
    }

    /**
     * @param runs the lines of each run (e.g. each file of a comparison), in order; a run may hold
     *             several peers and a before-churn and an after-churn curve
     */
    public static RecallQpsPlot fromJsonLines(List<List<String>> runs) {
        List<Curve> curves = new ArrayList<>();
        JsonNode first = null;
        for (List<String> run : runs) {
            Map<String, Curve> byName = new LinkedHashMap<>();
            for (String line : run) {
                JsonNode row = parse(line);
                if (row == null || !row.hasNonNull("recall_at_k") || !row.hasNonNull("qps")) {
                    continue;
                }
                first = first == null ? row : first;
                String peer = row.path("peer").asText("unknown");
                boolean churn = row.has("churn_rounds");
                byName.computeIfAbsent(peer + (churn ? "/churn" : ""), n -> new Curve(peer, churn, new ArrayList<>()))
                        .points().add(new double[] {row.get("recall_at_k").asDouble(), row.get("qps").asDouble()});
            }
            curves.addAll(byName.values());
        }
        if (first == null) {
            throw new IllegalArgumentException("no result lines with recall_at_k and qps to plot");
        }
        return new RecallQpsPlot(curves, title(first), first.path("k").asInt(10));
    }

    private static JsonNode parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(t);
        } catch (IOException e) {
            return null;
        }
    }

    private static String title(JsonNode row) {
        StringBuilder t = new StringBuilder(row.path("dataset").asText(""));
        if (row.has("metric")) {
            t.append(t.length() > 0 ? " " : "").append("(").append(row.get("metric").asText()).append(")");
        }
        if (row.has("m") && row.has("ef_construction")) {
            t.append(", M=").append(row.get("m").asInt()).append(", efConstruction=")
                    .append(row.get("ef_construction").asInt());
        }
        return t.toString();
    }

    /** The curves' legend names: peer, "after churn" for churn curves, and the run number when a name repeats. */
    List<String> names() {
        Map<String, Integer> total = new LinkedHashMap<>();
        for (Curve c : curves) {
            total.merge(baseName(c), 1, Integer::sum);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Curve c : curves) {
            String n = baseName(c);
            int run = seen.merge(n, 1, Integer::sum);
            names.add(total.get(n) > 1 ? n + " (run " + run + ")" : n);
        }
        return names;
    }

    private static String baseName(Curve c) {
        return c.peer() + (c.afterChurn() ? " after churn" : "");
    }

    /** The chart: x = recall@k, y = QPS on a log axis; a peer keeps one colour, churn curves are dashed. */
    JFreeChart chart() {
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> names = names();
        for (int i = 0; i < curves.size(); i++) {
            XYSeries s = new XYSeries(names.get(i), false, true);
            for (double[] p : curves.get(i).points()) {
                s.add(p[0], p[1]);
            }
            data.addSeries(s);
        }
        NumberAxis x = new NumberAxis("recall@" + k);
        x.setAutoRangeIncludesZero(false);
        // LogarithmicAxis labels ticks with plain strings, which SVG keeps as text (LogAxis draws glyph outlines)
        LogarithmicAxis y = new LogarithmicAxis("queries per second (log scale)");
        y.setAllowNegativesFlag(false);
        y.setStrictValuesFlag(false);
        y.setAutoRangeNextLogFlag(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setDrawSeriesLineAsPath(true);
        Map<String, Color> peerColours = new LinkedHashMap<>();
        Color[] palette = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b)};
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            r.setSeriesPaint(i, peerColours.computeIfAbsent(c.peer(), p -> palette[peerColours.size() % palette.length]));
            r.setSeriesStroke(i, c.afterChurn()
                    ? new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    public void writeSvg(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        TextUtils.setUseDrawRotatedStringWorkaround(false); // rotated labels as SVG text, not outlines
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart().draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        SVGUtils.writeToSVG(file.toFile(), g.getSVGElement());
    }
}
