package io.clusterkit.problem;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.codec.ServerCodecConfigurer;

/**
 * Registers the {@link ProblemExceptionHandler} in every reactive web application that
 * has this module on its class path, management contexts included.
 *
 * @author clusterkit
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class ProblemAutoConfiguration {

	@Bean
	ProblemExceptionHandler problemExceptionHandler(ServerCodecConfigurer codecs,
			ObjectProvider<ProblemMapper> mappers) {
		return new ProblemExceptionHandler(codecs.getWriters(), mappers.orderedStream().toList());
	}

}
