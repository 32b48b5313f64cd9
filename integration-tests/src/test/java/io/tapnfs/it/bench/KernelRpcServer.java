package io.tapnfs.it.bench;

import io.tapnfs.rpc.DiagProgram;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.OncRpcSvc;
import org.dcache.oncrpc4j.rpc.OncRpcSvcBuilder;

/**
 * The RPC benchmark's peer: tapnfs's diagnostic program ({@link DiagProgram}), served by
 * oncrpc4j on kernel sockets (run inside the lab namespace, bound to the bridge address; never
 * published to any portmapper). Arguments: BIND_ADDRESS PORT.
 */
public final class KernelRpcServer {
  public static void main(String[] args) throws Exception {
    OncRpcSvc svc = new OncRpcSvcBuilder().withTCP().withUDP().withBindAddress(args[0]).withPort(Integer.parseInt(args[1]))
        .withoutAutoPublish().withWorkerThreadIoStrategy()
        .withRpcService(new OncRpcProgram(DiagProgram.PROGRAM, DiagProgram.VERSION), new DiagProgram()).build();
    svc.start();
    System.out.println("tapnfs: ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
