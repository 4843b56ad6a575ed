package org.dino4j.train.pretrained;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: {@code [#####-----] 320/1000 images  41.2 images/s}, redrawn at most twice a
 * second and finished with a newline.
 */
public final class Progress {
    private final PrintStream err;
    private final int total;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int done;

    /**
     * @param err where to draw
     * @param total number of items
     * @param unit item name, plural
     */
    public Progress(PrintStream err, int total, String unit) {
        this.err = err;
        this.total = total;
        this.unit = unit;
    }

    /**
     * @param n items finished since the last call
     */
    public void advance(int n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastDraw > 500_000_000L || done >= total) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d %s  %.1f %s/s", "#".repeat(filled), "-".repeat(width - filled), done,
                total, unit, perSecond(now), unit);
        err.flush();
    }

    /** Draws the final state and ends the line. */
    public void finish() {
        draw(System.nanoTime());
        err.println();
    }

    /** @return items per second since the start */
    public double perSecond() {
        return perSecond(System.nanoTime());
    }

    /** @return seconds since the start */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private double perSecond(long now) {
        double s = (now - start) / 1e9;
        return s > 0 ? done / s : 0;
    }
}
