package org.dino4j.eval.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dino4j.eval.Checks;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * 2-D scatter plots of embeddings coloured by class (JFreeChart, headless) and CSV export of the coordinates.
 */
public final class ScatterPlot {
    /** Tableau-20 palette: distinct colours for up to 20 classes, then repeated. */
    private static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
        0x7f7f7f, 0xbcbd22, 0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2,
        0xc7c7c7, 0xdbdb8d, 0x9edae5};

    private ScatterPlot() {
    }

    /** The colour of class {@code c} in plots. */
    public static Color colour(int c) {
        return new Color(PALETTE[c % PALETTE.length]);
    }

    /**
     * Writes a PNG scatter of {@code xy [N][2]}, one colour per label, legend "class c" (or the given names).
     *
     * @param classNames optional names indexed by label (null → "class c")
     */
    public static void writePng(double[][] xy, int[] labels, List<String> classNames, String title, Path png,
                                int width, int height) throws IOException {
        check(xy, labels);
        if (width < 16 || height < 16) {
            throw new IllegalArgumentException("png size must be at least 16x16, got " + width + "x" + height);
        }
        int c = Checks.numClasses(labels);
        XYSeries[] series = new XYSeries[c];
        XYSeriesCollection ds = new XYSeriesCollection();
        for (int l = 0; l < c; l++) {
            String name = classNames != null && l < classNames.size() ? classNames.get(l) : "class " + l;
            series[l] = new XYSeries(name, false, true);
        }
        for (int i = 0; i < xy.length; i++) {
            series[labels[i]].add(xy[i][0], xy[i][1], false);
        }
        for (XYSeries s : series) {
            if (s.getItemCount() > 0) {
                ds.addSeries(s);
            }
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, "dim 1", "dim 2", ds, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = Charts.whiteXY(chart);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        double size = xy.length > 5000 ? 3 : 5;
        for (int s = 0; s < ds.getSeriesCount(); s++) {
            int label = indexOf(series, ds.getSeries(s));
            r.setSeriesShape(s, new Ellipse2D.Double(-size / 2, -size / 2, size, size));
            r.setSeriesPaint(s, colour(label));
            r.setSeriesOutlineStroke(s, new BasicStroke(0f));
        }
        plot.setRenderer(r);
        org.dino4j.core.io.AtomicFiles.writePng(png, chart.createBufferedImage(width, height));
    }

    private static int indexOf(XYSeries[] all, XYSeries s) {
        for (int i = 0; i < all.length; i++) {
            if (all[i] == s) {
                return i;
            }
        }
        return 0;
    }

    /** Writes {@code x,y,label} lines (with that header) for every point. */
    public static void writeCsv(double[][] xy, int[] labels, Path csv) throws IOException {
        check(xy, labels);
        org.dino4j.core.io.AtomicFiles.write(csv, os -> {
            BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8));
            w.write("x,y,label\n");
            for (int i = 0; i < xy.length; i++) {
                w.write(xy[i][0] + "," + xy[i][1] + "," + labels[i] + "\n");
            }
            w.flush();
        });
    }

    private static void check(double[][] xy, int[] labels) {
        Checks.matrix("coordinates", xy);
        if (xy[0].length != 2) {
            throw new IllegalArgumentException("coordinates must be [N][2], got rows of dimension " + xy[0].length);
        }
        Checks.labels("labels", labels, xy.length, 0);
    }
}
