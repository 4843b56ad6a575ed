package org.dino4j.train.cli;

import org.dino4j.train.run.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dino report RUN_DIR}: (re)writes the HTML report of a run from its metrics and evaluation files. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report.html from the run's metrics.jsonl, knn.json and tsne.png.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory.")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        Path html = Reports.write(runDir);
        System.out.println("report: " + html);
        return 0;
    }
}
