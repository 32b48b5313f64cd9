package io.tapnfs.it.bench;

import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.OncRpcSvc;
import org.dcache.oncrpc4j.rpc.OncRpcSvcBuilder;
import org.dcache.oncrpc4j.xdr.XdrOpaque;
import org.dcache.oncrpc4j.xdr.XdrVoid;

/**
 * The RPC benchmark's peer: the same NULL/ECHO program as tapnfs's diagnostic one, served by
 * oncrpc4j on kernel sockets (run inside the lab namespace, bound to the bridge address; never
 * published to any portmapper). Arguments: BIND_ADDRESS PORT.
 */
public final class KernelRpcServer {
  public static void main(String[] args) throws Exception {
    OncRpcSvc svc = new OncRpcSvcBuilder().withTCP().withUDP().withBindAddress(args[0]).withPort(Integer.parseInt(args[1]))
        .withoutAutoPublish().withWorkerThreadIoStrategy()
        .withRpcService(new OncRpcProgram(0x20001234, 1), call -> {
          if (call.getProcedure() == 0) {
            call.retrieveCall(XdrVoid.XDR_VOID);
            call.reply(XdrVoid.XDR_VOID);
          } else if (call.getProcedure() == 1) {
            XdrOpaque o = new XdrOpaque();
            call.retrieveCall(o);
            call.reply(o);
          } else {
            call.failProcedureUnavailable();
          }
        }).build();
    svc.start();
    System.out.println("tapnfs: ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
