"""Agent overhead: the same 50 calls/s x 20 s sipp run by hand and through the agent jar.

Run after `mvn -pl sip-adapter-sipp package -DskipTests`: python3 sip-adapter-sipp/perf/agent-overhead.py
"""
import subprocess, time, json, os, resource, urllib.request, tempfile, shutil
JAR=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "sip-adapter-sipp-0.1.0-SNAPSHOT-agent.jar")
OUT=tempfile.mkdtemp(prefix="sipp-overhead-")
TCK=os.sysconf('SC_CLK_TCK')
def cpu(pid):
    f=open(f"/proc/{pid}/stat").read().rsplit(')',1)[1].split()
    # fields after ')': state=0 ... utime=11 stime=12 cutime=13 cstime=14
    return int(f[11])/TCK+int(f[12])/TCK, int(f[13])/TCK+int(f[14])/TCK
def rss(pid):
    d={}
    for l in open(f"/proc/{pid}/status"):
        k,v=l.split(':',1); d[k]=v.strip()
    return d['VmRSS'], d['VmHWM']
uas=subprocess.Popen(["sipp","-sn","uas","-i","127.0.0.1","-p","25070","-nostdin","-cp","28070","-mp","45000"],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
time.sleep(0.5)
args=["-sn","uac","-i","127.0.0.1","-p","25071","-cp","28071","-ci","127.0.0.1","-mp","45004","-nostdin","-trace_stat","-fd","1","-trace_err","-m","1000","-r","50","-d","1000","-s","service","127.0.0.1:25070"]
# 1) by hand
r0=resource.getrusage(resource.RUSAGE_CHILDREN); t0=time.time()
p=subprocess.run(["sipp"]+args+["-stf",OUT+"/hand.csv","-error_file",OUT+"/hand_err.log"],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,cwd=OUT)
r1=resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"by hand: exit {p.returncode}, wall {time.time()-t0:.1f}s, sipp cpu {r1.ru_utime-r0.ru_utime+r1.ru_stime-r0.ru_stime:.2f}s, sipp max RSS {r1.ru_maxrss/1024:.1f} MiB")
last=open(OUT+"/hand.csv").read().strip().splitlines(); hdr=last[0].split(';'); row=last[-1].split(';')
print("  hand csv: TotalCallCreated", row[hdr.index('TotalCallCreated')], "SuccessfulCall(C)", row[hdr.index('SuccessfulCall(C)')], "FailedCall(C)", row[hdr.index('FailedCall(C)')])
# 2) through the agent
agent=subprocess.Popen(["java","-jar",JAR,"agent","--port","18080","--work-dir",OUT+"/agent"],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL,text=True)
agent.stdout.readline()
time.sleep(1)
base="http://127.0.0.1:18080"
def http(method,path,body=None):
    req=urllib.request.Request(base+path,method=method,data=None if body is None else json.dumps(body).encode(),headers={"Content-Type":"application/json"})
    return json.load(urllib.request.urlopen(req))
idle_cpu,_=cpu(agent.pid); idle_rss=rss(agent.pid)
a0,c0=cpu(agent.pid); t0=time.time()
run=http("POST","/calls",{"scenario":"uac","target":"127.0.0.1:25070","count":1000,"rate":50,"callDurationMs":1000})
rid=run["id"]
while True:
    time.sleep(1)
    s=http("GET","/calls/"+rid)
    if s["state"]=="ENDED": break
a1,c1=cpu(agent.pid); wall=time.time()-t0
print(f"agent idle after start: cpu {idle_cpu:.2f}s, RSS {idle_rss[0]}")
print(f"through agent: exit {s['exitCode']} verdict {s['verdict']}, wall {wall:.1f}s, agent JVM cpu during run {a1-a0:.2f}s, sipp child cpu {c1-c0:.2f}s, agent RSS now {rss(agent.pid)[0]} (peak {rss(agent.pid)[1]})")
print("  agent stats:", {k:s['stats'][k] for k in ('totalCallCreated','successfulCalls','failedCalls','retransmissions','callRate')})
agent.terminate(); agent.wait(10); uas.terminate(); uas.wait(5)
shutil.rmtree(OUT, ignore_errors=True)
