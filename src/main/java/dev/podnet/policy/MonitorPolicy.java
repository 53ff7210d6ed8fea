package dev.podnet.policy;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A monitoring task as users write it: {@code podnet.dev/v1alpha1 MonitorPolicy}, namespaced, with the
 * spec of CCE dolphin's MonitorPolicy (so a dolphin policy works after changing its apiVersion) plus
 * {@code flowKey}. The chart's CRD (charts/podnet/crds) has the schema the API server checks; the agent
 * checks again ({@link PolicyCompiler}), since the CRD installed may be older than the agent.
 */
@Group("podnet.dev")
@Version("v1alpha1")
@Kind("MonitorPolicy")
@Plural("monitorpolicies")
public class MonitorPolicy extends CustomResource<MonitorPolicySpec, Void> implements Namespaced {
}
