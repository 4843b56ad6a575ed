package org.dino4j.eval.plot;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;

import java.awt.Color;

/** The look every dino4j chart shares: white background, light grey grid lines. */
public final class Charts {
    private Charts() {
    }

    /**
     * Gives an XY chart the shared look.
     *
     * @param chart a chart made by one of JFreeChart's XY factories
     * @return its plot, to set a renderer on
     */
    public static XYPlot whiteXY(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        return plot;
    }
}
