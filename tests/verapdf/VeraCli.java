import java.io.File;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.verapdf.features.FeatureFactory;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.metadata.fixer.FixerFactory;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.validation.validators.ValidatorConfig;
import org.verapdf.pdfa.validation.validators.ValidatorFactory;
import org.verapdf.processor.BatchProcessingHandler;
import org.verapdf.processor.BatchProcessor;
import org.verapdf.processor.FormatOption;
import org.verapdf.processor.ProcessorConfig;
import org.verapdf.processor.ProcessorFactory;
import org.verapdf.processor.TaskType;
import org.verapdf.processor.plugins.PluginsCollectionConfig;
import org.verapdf.processor.reports.BatchSummary;

/**
 * veraPDF's validation, from the command line: {@code VeraCli --flavour ua1|2u --format
 * mrr|text|json FILE...}. The veraPDF libraries come bundled in a package of the PyPI
 * registry (see install.sh); this class only calls their processor, whose report it prints.
 * Exit status: 0 every file conforms, 1 one does not, 7 one could not be read, 2 usage.
 */
public class VeraCli {
  public static void main(String[] args) throws Exception {
    String flavour = "ua1";
    String format = "mrr";
    List<File> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--flavour": flavour = args[++i]; break;
        case "--format": format = args[++i]; break;
        default: files.add(new File(args[i]));
      }
    }
    if (files.isEmpty()) {
      System.err.println("usage: VeraCli [--flavour ua1|2u|…] [--format mrr|text|json] FILE…");
      System.exit(2);
    }
    VeraGreenfieldFoundryProvider.initialise();
    PDFAFlavour chosen = PDFAFlavour.fromString(flavour);
    if (chosen == PDFAFlavour.NO_FLAVOUR) {
      System.err.println("unknown flavour " + flavour);
      System.exit(2);
    }
    ValidatorConfig validator = ValidatorFactory.createConfig(chosen, false, -1, false);
    ProcessorConfig config = ProcessorFactory.fromValues(validator, FeatureFactory.defaultConfig(),
        PluginsCollectionConfig.defaultConfig(), FixerFactory.defaultConfig(),
        EnumSet.of(TaskType.VALIDATE));
    BatchProcessor processor = ProcessorFactory.fileBatchProcessor(config);
    BatchProcessingHandler handler =
        ProcessorFactory.getHandler(FormatOption.fromOption(format), false, System.out, false);
    BatchSummary summary = processor.process(files, handler);
    System.out.flush();
    if (summary.getFailedParsingJobs() > 0 || summary.getFailedEncryptedJobs() > 0
        || summary.getOutOfMemory() > 0 || summary.getVeraExceptions() > 0) {
      System.exit(7);
    }
    System.exit(summary.getValidationSummary().getNonCompliantPdfaCount() > 0 ? 1 : 0);
  }
}
