package org.dino4j.train.monitor;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line per epoch on stderr: {@code epoch 3/10 [#####-----] 45/100 loss 6.1234 lr 1.2e-04 m 0.99650
 * τt 0.0410 312 img/s ETA 0:23}. On a terminal the line is redrawn in place with {@code \r}; otherwise it is printed
 * every {@code every} iterations and at the epoch's end.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final boolean interactive;
    private final int every;
    private final StringBuilder sb = new StringBuilder(160);

    /**
     * @param out         where to draw (stderr).
     * @param interactive redraw in place (a terminal).
     * @param every       print period in iterations when not interactive.
     */
    public ProgressBar(PrintStream out, boolean interactive, int every) {
        this.out = out;
        this.interactive = interactive;
        this.every = Math.max(1, every);
    }

    /**
     * Draws the state after iteration {@code i} (0-based) of {@code iters} in epoch {@code epoch} (0-based).
     *
     * @param imagesPerSec training throughput (an image = all its crops).
     * @param etaSeconds   estimated seconds left in the epoch.
     */
    public void update(int epoch, int epochs, int i, int iters, double loss, double lr, double momentum,
                       double teacherTemp, double imagesPerSec, double etaSeconds) {
        boolean last = i + 1 == iters;
        if (!interactive && !last && (i + 1) % every != 0) return;
        sb.setLength(0);
        if (interactive) sb.append('\r');
        sb.append("epoch ").append(epoch + 1).append('/').append(epochs).append(" [");
        int width = 20, filled = (int) ((long) (i + 1) * width / iters);
        for (int k = 0; k < width; k++) sb.append(k < filled ? '#' : '-');
        sb.append("] ").append(i + 1).append('/').append(iters)
                .append(String.format(Locale.ROOT, " loss %.4f lr %.2e m %.5f τt %.4f %.0f img/s ETA %s",
                        loss, lr, momentum, teacherTemp, imagesPerSec, formatDuration(etaSeconds)));
        if (!interactive || last) sb.append('\n');
        out.print(sb);
        out.flush();
    }

    /** Prints a message on its own line (ends a partially drawn line first). */
    public void message(String s) {
        out.println(s);
        out.flush();
    }

    /** {@code h:mm:ss} or {@code m:ss}. */
    public static String formatDuration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
